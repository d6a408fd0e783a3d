// The local console (SPEC §7): plain browser JavaScript, no framework and no build step. It reads the
// local relay's JSON routes and listens to /_local/activity/stream (server-sent events), so nothing
// ever reloads the page. Every value from a payload reaches the page as text (textContent), never as
// markup; emails render in an iframe sandboxed without scripts.
import { smsSegments } from './sms-segments.js';

const PAGE_SIZE = 50;
const PREVIEW_PAGE_SIZE = 30;

const state = {
  view: 'activity',
  filters: { channel: '', uid: '', outcome: '', correlationId: '' },
  /** Activity cursors: `before` of each page shown so far (the first is undefined: newest). */
  activityCursors: [undefined],
  activityPage: 0,
  activityNext: undefined,
  activityTotal: 0,
  outbox: [],
  outboxSignature: '',
  previewsPage: 0,
  samples: [],
};

// ---------- small DOM helpers ----------

/** Builds an element: h('div', { class: 'x', onclick }, child, 'text', ...). */
const h = (tag, attributes = {}, ...children) => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
};

const $ = (selector) => document.querySelector(selector);

const getJson = async (path, init) => {
  const response = await fetch(path, init);
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new Error(json?.message ?? `${path} answered ${response.status}`);
  return json;
};

const time = (iso) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour12: false });
};

/** A "{ }" button that shows the raw JSON of anything below it. */
const rawJson = (value, label = '{ }') => {
  const pre = h('pre', { class: 'raw', hidden: true });
  const button = h(
    'button',
    {
      class: 'raw-toggle',
      title: 'raw JSON',
      'data-testid': 'raw-toggle',
      onclick: (event) => {
        event.stopPropagation();
        if (!pre.textContent) pre.textContent = JSON.stringify(value, null, 2);
        pre.hidden = !pre.hidden;
      },
    },
    label,
  );
  return { button, pre };
};

const initials = (name) =>
  (name || '?')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => [...part][0].toUpperCase())
    .join('') || '?';

/** The avatar, or the sender's initials when there is none or it cannot load (no network, a 404). */
const avatar = (url, name) => {
  const fallback = h('span', { class: 'avatar initials', 'data-testid': 'avatar-initials' }, initials(name));
  if (!url || !/^https?:|^data:image\//.test(url)) return fallback;
  const image = h('img', { class: 'avatar', alt: '', src: url, referrerpolicy: 'no-referrer', loading: 'lazy' });
  image.addEventListener('error', () => image.replaceWith(fallback), { once: true });
  return image;
};

// ---------- filters and tabs ----------

const queryString = (extra = {}) => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...state.filters, ...extra })) {
    if (value !== '' && value !== undefined) params.set(name, String(value));
  }
  return params.toString();
};

const readFilters = () => {
  const form = $('#filters');
  state.filters.channel = form.channel.value;
  state.filters.uid = form.uid.value.trim();
  state.filters.outcome = form.outcome.value;
};

const showCorrelation = () => {
  const badge = $('#correlation-filter');
  badge.hidden = !state.filters.correlationId;
  badge.querySelector('code').textContent = state.filters.correlationId;
};

const filterByJourney = (correlationId) => {
  state.filters.correlationId = correlationId;
  showCorrelation();
  refreshAll();
};

const selectView = (view) => {
  state.view = view;
  for (const tab of document.querySelectorAll('#tabs button')) tab.setAttribute('aria-selected', String(tab.dataset.view === view));
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== `view-${view}`;
  if (view === 'directory') loadDirectory();
  if (view === 'dlq') loadDeadLetters();
  if (view === 'send') loadSamples();
  if (view === 'previews') {
    renderPreviews();
    loadOutbox().catch(showError);
  }
};

// ---------- activity ----------

const OUTCOME_CLASS = { accepted: 'ok', sent: 'ok', refused: 'bad', failed: 'bad', skipped: 'warn', retry: 'warn' };

const describeEntry = (entry) => {
  if (entry.kind === 'webhook') {
    const answer = entry.answer ?? {};
    return [h('code', {}, entry.route), ' → ', h('b', {}, String(entry.status)), answer.error ? ` ${answer.error}` : ''];
  }
  const detail = entry.reason ?? entry.cause;
  return [h('span', { class: 'target' }, entry.target), detail ? h('span', { class: 'muted' }, ` (${detail})`) : ''];
};

const journeyLink = (correlationId) =>
  h('button', { class: 'link', title: 'show this journey only', onclick: () => filterByJourney(correlationId) }, correlationId);

/** A webhook learns its correlation id from its first outcome: fill it in on the row already shown. */
const linkWebhook = (delivery) => {
  const row = document.querySelector(`tr[data-message-id="${CSS.escape(delivery.messageId)}"]`);
  if (!row) return;
  row.querySelector('.journey-link').replaceChildren(journeyLink(delivery.correlationId));
  delete row.dataset.messageId;
};

const activityRow = (entry) => {
  const { button, pre } = rawJson(entry);
  const row = h(
    'tr',
    { class: `kind-${entry.kind}`, 'data-seq': entry.seq, 'data-testid': 'activity-row' },
    h('td', { class: 'muted' }, time(entry.at)),
    h('td', {}, h('span', { class: `channel ${entry.channel}` }, entry.channel)),
    h('td', {}, h('span', { class: 'kind' }, entry.kind === 'webhook' ? 'webhook' : 'delivery'), ' ', describeEntry(entry)),
    h('td', {}, h('span', { class: `outcome ${OUTCOME_CLASS[entry.outcome] ?? ''}`, 'data-testid': 'outcome' }, entry.outcome)),
    h('td', { class: 'uid' }, entry.uid ?? ''),
    h('td', { class: 'journey-link' }, entry.correlationId ? journeyLink(entry.correlationId) : ''),
    h('td', { class: 'raw-cell' }, button),
  );
  if (entry.kind === 'webhook' && entry.messageId && !entry.correlationId) row.dataset.messageId = entry.messageId;
  const rawRow = h('tr', { class: 'raw-row' }, h('td', { colspan: 7 }, pre));
  return [row, rawRow];
};

const matchesFilters = (entry) =>
  (!state.filters.channel || entry.channel === state.filters.channel) &&
  (!state.filters.uid || entry.uid === state.filters.uid.toLowerCase()) &&
  (!state.filters.outcome || entry.outcome === state.filters.outcome) &&
  (!state.filters.correlationId || entry.correlationId === state.filters.correlationId);

const loadActivity = async () => {
  // Paging waits for the page it asked for: the cursor of the next one comes with it.
  $('#activity-older').disabled = true;
  const before = state.activityCursors[state.activityPage];
  const page = await getJson(`/_local/activity?${queryString({ limit: PAGE_SIZE, before })}`);
  state.activityNext = page.next;
  $('#activity-rows').replaceChildren(...page.entries.flatMap(activityRow));
  $('#activity-empty').hidden = page.entries.length > 0 || state.activityPage > 0;
  $('#activity-older').disabled = page.next === undefined;
  $('#activity-newest').disabled = state.activityPage === 0;
  state.activityTotal = page.total;
  showActivityPage();
};

const showActivityPage = () => {
  $('#activity-page').textContent = `page ${state.activityPage + 1} · ${state.activityTotal} entries held`;
};

/** A new entry from the stream: shown at once on the first page; later pages keep their place. */
const addActivity = (entry) => {
  state.activityTotal += 1;
  if (entry.kind === 'delivery') linkWebhook(entry);
  if (state.activityPage !== 0 || !matchesFilters(entry)) return;
  showActivityPage();
  const rows = $('#activity-rows');
  rows.prepend(...activityRow(entry));
  // Keep one page on screen: two rows per entry (the entry and its hidden raw JSON).
  while (rows.children.length > PAGE_SIZE * 2) rows.lastElementChild.remove();
  $('#activity-empty').hidden = true;
};

// ---------- previews (the outbox) ----------

/** The notification a push entry shows, whatever the platform's payload shape. */
const pushView = (entry) => {
  const message = entry.payload?.message ?? {};
  const fcm = message.fcmV1Message?.message;
  const fields = fcm ? { ...(fcm.data ?? {}), ...(fcm.notification ?? {}) } : { ...message, ...(message.aps?.alert ?? {}) };
  const platform = String(entry.payload?.platform ?? '');
  return {
    os: platform.startsWith('APNS') ? 'ios' : 'android',
    voip: platform.includes('VOIP'),
    platform,
    title: fields.title ?? '',
    body: fields.body ?? '',
    type: fields.type ?? 'chat',
    tag: fields.tag ?? fcm?.android?.notification?.tag ?? '',
    conversationId: fields.conversationId ?? message.aps?.['thread-id'] ?? '',
    callAction: fields.callAction,
    callType: fields.callType,
    sessionId: fields.sessionId,
    senderName: fields.senderName ?? fields.title ?? '',
    senderAvatar: fields.senderAvatar,
  };
};

const APP_NAME = 'CometChat';

const notDelivered = (entry) => (entry.delivered === false ? h('span', { class: 'badge bad' }, 'not delivered') : '');

const callCard = (view, entry) => {
  const { button, pre } = rawJson(entry);
  if (view.callAction === 'initiated') {
    return h(
      'div',
      { class: `call incoming ${view.os}`, 'data-testid': 'call-incoming' },
      h('div', { class: 'call-top' }, avatar(view.senderAvatar, view.senderName), h('div', {}, h('div', { class: 'call-name' }, view.senderName || view.title), h('div', { class: 'muted' }, `Incoming ${view.callType ?? ''} call · ${APP_NAME}`))),
      h('div', { class: 'call-buttons' }, h('span', { class: 'decline' }, 'Decline'), h('span', { class: 'accept' }, 'Accept')),
      h('div', { class: 'meta' }, `${view.platform} → ${entry.to}`, notDelivered(entry), button),
      pre,
    );
  }
  return h(
    'div',
    { class: `call dismissed ${view.os}`, 'data-testid': 'call-dismissed' },
    h('span', { class: 'call-icon' }, '✆'),
    h('span', {}, `Call ${view.callAction ?? 'updated'}`, h('span', { class: 'muted' }, ` · ${view.senderName || view.title} · ringing dismissed`)),
    h('div', { class: 'meta' }, `${view.platform} → ${entry.to}`, notDelivered(entry), button),
    pre,
  );
};

/** Lock-screen notifications of one device, grouped by conversation; a later push with the same tag replaces the earlier. */
const lockScreen = (device, entries) => {
  const groups = new Map();
  for (const entry of entries) {
    const view = pushView(entry);
    const key = view.conversationId || `(no conversation) ${entry.at}`;
    if (!groups.has(key)) groups.set(key, new Map());
    const byTag = groups.get(key);
    // A call is replaced per session (a cancellation dismisses its ring), a chat message per tag (an edit replaces it).
    const replaceKey = view.type === 'call' ? view.sessionId || view.tag : view.tag;
    const tagKey = replaceKey ? `${view.type}:${replaceKey}` : `at:${entry.at}`;
    const shown = byTag.get(tagKey);
    // Entries arrive newest first: the first one of a tag is what the phone shows; the rest were replaced.
    if (shown) shown.replaced += 1;
    else byTag.set(tagKey, { entry, view, replaced: 0 });
  }
  const os = pushView(entries[0]).os;
  return h(
    'div',
    { class: `phone ${os}`, 'data-testid': `phone-${os}` },
    h('div', { class: 'phone-head' }, h('span', { class: 'clock' }, time(entries[0].at).slice(0, 5)), h('span', { class: 'device' }, `${os === 'ios' ? 'iPhone' : 'Android'} · ${device}`)),
    [...groups.entries()].map(([conversation, byTag]) =>
      h(
        'div',
        { class: 'thread', 'data-conversation': conversation, 'data-testid': 'thread' },
        byTag.size > 1 ? h('div', { class: 'thread-head' }, `${byTag.size} notifications`) : '',
        [...byTag.values()].map(({ entry, view, replaced }) => (view.type === 'call' ? callCard(view, entry) : notificationCard(view, entry, replaced))),
      ),
    ),
  );
};

const notificationCard = (view, entry, replaced) => {
  const { button, pre } = rawJson(entry);
  return h(
    'div',
    { class: `notification ${view.os}`, 'data-testid': 'push-preview', 'data-tag': view.tag },
    h('div', { class: 'app' }, h('span', { class: 'app-icon' }, 'C'), h('span', { class: 'app-name' }, APP_NAME), h('span', { class: 'when' }, time(entry.at)), button),
    h(
      'div',
      { class: 'content' },
      avatar(view.senderAvatar, view.senderName),
      h('div', {}, h('div', { class: 'title' }, view.title), h('div', { class: 'body' }, view.body)),
    ),
    replaced > 0 ? h('div', { class: 'replaced', 'data-testid': 'replaced' }, `replaced ${replaced}× (tag ${view.tag})`) : '',
    notDelivered(entry),
    pre,
  );
};

const smsCard = (entry) => {
  const text = String(entry.payload?.message ?? '');
  const count = smsSegments(text);
  const { button, pre } = rawJson(entry);
  return h(
    'div',
    { class: 'card sms', 'data-testid': 'sms-preview' },
    h('div', { class: 'card-head' }, h('span', { class: 'channel sms' }, 'sms'), ` to ${entry.to}`, h('span', { class: 'when' }, time(entry.at)), button),
    h('div', { class: 'bubble' }, text),
    h(
      'div',
      { class: 'sms-count', 'data-testid': 'sms-count' },
      `${count.characters} characters · ${count.encoding} · ${count.segments} segment${count.segments === 1 ? '' : 's'} (${count.perSegment} per segment)`,
    ),
    notDelivered(entry),
    pre,
  );
};

const emailCard = (entry) => {
  const payload = entry.payload ?? {};
  const { button, pre } = rawJson(entry);
  const frame = h('iframe', { class: 'email-frame', title: `email: ${payload.subject ?? ''}`, sandbox: 'allow-same-origin', 'data-testid': 'email-frame' });
  // Natural height: the frame has no scripts; the page (same origin through allow-same-origin) measures it.
  frame.addEventListener('load', () => {
    const height = frame.contentDocument?.documentElement?.scrollHeight;
    if (height) frame.style.height = `${height + 4}px`;
  });
  frame.srcdoc = payload.html ?? '<p>(no HTML part)</p>';
  const text = h('pre', { class: 'email-text', hidden: true, 'data-testid': 'email-text' });
  text.textContent = payload.text ?? '(no text part)';
  const toggle = h(
    'button',
    {
      'data-testid': 'email-text-toggle',
      onclick: () => {
        text.hidden = !text.hidden;
        frame.hidden = !text.hidden;
        toggle.textContent = text.hidden ? 'Text part' : 'HTML part';
      },
    },
    'Text part',
  );
  return h(
    'div',
    { class: 'card email', 'data-testid': 'email-preview' },
    h('div', { class: 'card-head' }, h('span', { class: 'channel email' }, 'email'), h('span', { class: 'when' }, time(entry.at)), toggle, button),
    h('div', { class: 'email-head' }, h('div', {}, h('b', {}, 'From '), payload.from ?? ''), h('div', {}, h('b', {}, 'To '), entry.to), h('div', { class: 'subject' }, payload.subject ?? '')),
    frame,
    text,
    pre,
  );
};

const eventCard = (entry) => {
  const message = entry.payload?.message ?? {};
  const attributes = entry.payload?.attributes ?? {};
  const json = h('pre', { class: 'raw', hidden: true });
  const summary = [attributes.trigger ?? message.trigger ?? 'event', message.message?.sender ?? message.sender, message.message?.receiver ?? message.receiver]
    .filter(Boolean)
    .join(' · ');
  const text = message.message?.text ?? message.message?.data?.text ?? message.text;
  return h(
    'div',
    { class: 'card event compact', 'data-testid': 'event-preview' },
    h(
      'button',
      {
        class: 'event-line',
        onclick: () => {
          if (!json.textContent) json.textContent = JSON.stringify(entry.payload, null, 2);
          json.hidden = !json.hidden;
        },
      },
      h('span', { class: 'channel events' }, 'event'),
      ` ${summary}`,
      text ? h('span', { class: 'muted' }, ` “${String(text).slice(0, 80)}”`) : '',
      h('span', { class: 'when' }, time(entry.at)),
    ),
    json,
  );
};

const outboxMatches = (entry) =>
  (!state.filters.channel || entry.channel === state.filters.channel || (state.filters.channel === 'events' && entry.channel === 'event')) &&
  (!state.filters.uid || String(entry.to).toLowerCase() === state.filters.uid.toLowerCase());

const renderPreviews = () => {
  const entries = state.outbox.filter(outboxMatches);
  const pages = Math.max(1, Math.ceil(entries.length / PREVIEW_PAGE_SIZE));
  state.previewsPage = Math.min(state.previewsPage, pages - 1);
  const page = entries.slice(state.previewsPage * PREVIEW_PAGE_SIZE, (state.previewsPage + 1) * PREVIEW_PAGE_SIZE);
  // Push: one phone per device (endpoint), its notifications grouped there; other channels as cards, in order.
  const phones = new Map();
  const cards = [];
  for (const entry of page) {
    if (entry.channel === 'push') {
      if (!phones.has(entry.target)) {
        phones.set(entry.target, []);
        cards.push({ phone: entry.target });
      }
      phones.get(entry.target).push(entry);
    } else cards.push({ entry });
  }
  $('#previews').replaceChildren(
    ...cards.map(({ phone, entry }) => {
      if (phone) {
        const list = phones.get(phone);
        return lockScreen(`${list[0].to} · …${phone.slice(-8)}`, list);
      }
      if (entry.channel === 'sms') return smsCard(entry);
      if (entry.channel === 'email') return emailCard(entry);
      return eventCard(entry);
    }),
  );
  $('#previews-empty').hidden = entries.length > 0;
  $('#previews-older').disabled = state.previewsPage >= pages - 1;
  $('#previews-newer').disabled = state.previewsPage === 0;
  $('#previews-page').textContent = `page ${state.previewsPage + 1} of ${pages} · ${entries.length} sent`;
};

const loadOutbox = async () => {
  const entries = await getJson('/_local/outbox');
  // Drawn again only when something was sent or cleared, so an open email or JSON stays open.
  const signature = `${entries.length}:${entries[0]?.at ?? ''}:${entries.at(-1)?.at ?? ''}`;
  if (signature === state.outboxSignature) return;
  state.outboxSignature = signature;
  state.outbox = entries.slice().reverse();
  if (state.view === 'previews') renderPreviews();
};

// ---------- directory, dead letters, samples ----------

const loadDirectory = async () => {
  const { users } = await getJson('/_local/directory');
  $('#directory').replaceChildren(
    users.length === 0
      ? h('p', { class: 'empty' }, 'No users yet: register a device with PUT /users/{uid}/devices/{deviceId}.')
      : h(
          'table',
          { class: 'directory' },
          h('thead', {}, h('tr', {}, h('th', {}, 'uid'), h('th', {}, 'devices (tokens masked)'), h('th', {}, 'contact'))),
          h(
            'tbody',
            {},
            users.map((user) =>
              h(
                'tr',
                { 'data-testid': 'directory-user' },
                h('td', {}, h('button', { class: 'link', onclick: () => setUidFilter(user.uid) }, user.uid)),
                h('td', {}, user.devices.map((device) => h('div', { class: 'device-row' }, h('b', {}, device.deviceId), ` ${device.platform} `, h('code', {}, device.token)))),
                h(
                  'td',
                  {},
                  user.contact?.phone ? h('div', {}, `☎ ${user.contact.phone}`) : '',
                  user.contact?.email ? h('div', {}, `✉ ${user.contact.email}`, user.contact.emailUndeliverable ? h('span', { class: 'badge bad' }, 'undeliverable') : '') : '',
                ),
              ),
            ),
          ),
        ),
  );
};

const setUidFilter = (uid) => {
  $('#filters').uid.value = uid;
  readFilters();
  selectView('activity');
  refreshAll();
};

const loadDeadLetters = async () => {
  const { queues } = await getJson('/_local/dlq');
  const total = queues.reduce((sum, queue) => sum + queue.messages.length, 0);
  $('#dlq-count').textContent = total ? String(total) : '';
  $('#dlq').replaceChildren(
    ...queues.map((queue) =>
      h(
        'div',
        { class: 'card dlq', 'data-testid': `dlq-${queue.name}` },
        h(
          'div',
          { class: 'card-head' },
          h('b', {}, queue.name),
          h('span', { class: 'muted' }, ` ${queue.deadLetterQueue} · ${queue.messages.length} message${queue.messages.length === 1 ? '' : 's'}`),
          h(
            'button',
            {
              class: 'primary',
              disabled: queue.messages.length === 0,
              'data-testid': `redrive-${queue.name}`,
              onclick: async (event) => {
                event.target.disabled = true;
                const result = await getJson(`/_local/dlq/${encodeURIComponent(queue.name)}/redrive`, { method: 'POST' });
                flash(`${result.moved} message(s) of ${queue.name} sent back to their queue`);
                await loadDeadLetters();
              },
            },
            'Redrive',
          ),
        ),
        queue.messages.map((message) => {
          const { button, pre } = rawJson(message);
          return h(
            'div',
            { class: 'dlq-message', 'data-testid': 'dlq-message' },
            h('span', { class: 'muted' }, `${time(message.sentAt)} · received ${message.receiveCount}× · `),
            h('code', {}, message.attributes.correlationId ?? message.messageId),
            ' ',
            h('span', {}, message.body?.trigger ?? ''),
            button,
            pre,
          );
        }),
      ),
    ),
  );
};

const loadSamples = async () => {
  if (state.samples.length > 0) return;
  const { samples } = await getJson('/_local/samples');
  state.samples = samples;
  const select = $('#sample');
  select.replaceChildren(...samples.map((sample, index) => h('option', { value: index }, `${sample.name} (${sample.route})`)));
  showSample(0);
};

const showSample = (index) => {
  const sample = state.samples[index];
  if (!sample) return;
  $('#sample-route').value = sample.route;
  $('#sample-payload').value = JSON.stringify(sample.payload, null, 2);
};

const sendSample = async () => {
  const answerBox = $('#send-answer');
  answerBox.hidden = false;
  let payload;
  try {
    payload = JSON.parse($('#sample-payload').value);
  } catch (error) {
    answerBox.textContent = `Not JSON: ${error.message}`;
    answerBox.className = 'answer bad';
    return;
  }
  try {
    const result = await getJson('/_local/samples/send', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: $('#sample-route').value, payload }),
    });
    answerBox.className = `answer ${result.status === 200 ? 'ok' : 'bad'}`;
    answerBox.textContent = `${result.status} ${JSON.stringify(result.answer, null, 2)}`;
  } catch (error) {
    answerBox.className = 'answer bad';
    answerBox.textContent = error.message;
  }
};

// ---------- live updates ----------

let outboxTimer;
/** Deliveries come in bursts: the outbox is read again at most every 400 ms. */
const scheduleOutboxRefresh = () => {
  if (outboxTimer) return;
  outboxTimer = setTimeout(async () => {
    outboxTimer = undefined;
    await loadOutbox().catch(showError);
  }, 400);
};

let deadLetterTimer;
const scheduleDeadLetterRefresh = () => {
  if (deadLetterTimer) return;
  deadLetterTimer = setTimeout(async () => {
    deadLetterTimer = undefined;
    await loadDeadLetters().catch(showError);
  }, 400);
};

const connect = () => {
  const live = $('#live');
  const source = new EventSource('/_local/activity/stream');
  source.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  source.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  });
  source.addEventListener('activity', (event) => {
    const entry = JSON.parse(event.data);
    addActivity(entry);
    if (entry.kind === 'delivery') scheduleOutboxRefresh();
    if (entry.kind === 'delivery' && entry.outcome === 'failed') scheduleDeadLetterRefresh();
  });
};

const flash = (text) => {
  const note = h('div', { class: 'flash', role: 'status' }, text);
  document.body.append(note);
  setTimeout(() => note.remove(), 3000);
};

const showError = (error) => flash(`⚠ ${error.message}`);

const refreshAll = () => {
  state.activityCursors = [undefined];
  state.activityPage = 0;
  state.previewsPage = 0;
  loadActivity().catch(showError);
  if (state.view === 'previews') renderPreviews();
};

const start = () => {
  for (const tab of document.querySelectorAll('#tabs button')) tab.addEventListener('click', () => selectView(tab.dataset.view));
  const form = $('#filters');
  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('change', (event) => {
    // The uid box filters as one types (below); its change on blur must not reset the page shown.
    if (event.target.name === 'uid') return;
    readFilters();
    refreshAll();
  });
  form.uid.addEventListener('input', () => {
    readFilters();
    refreshAll();
  });
  $('#clear-correlation').addEventListener('click', () => filterByJourney(''));
  $('#activity-older').addEventListener('click', () => {
    if (state.activityNext === undefined) return;
    state.activityCursors[state.activityPage + 1] = state.activityNext;
    state.activityPage += 1;
    loadActivity().catch(showError);
  });
  $('#activity-newest').addEventListener('click', () => {
    state.activityPage = 0;
    loadActivity().catch(showError);
  });
  $('#previews-older').addEventListener('click', () => {
    state.previewsPage += 1;
    renderPreviews();
  });
  $('#previews-newer').addEventListener('click', () => {
    state.previewsPage = Math.max(0, state.previewsPage - 1);
    renderPreviews();
  });
  $('#sample').addEventListener('change', (event) => showSample(Number(event.target.value)));
  $('#send-sample').addEventListener('click', () => sendSample());
  $('#forget').addEventListener('click', async () => {
    const { forgotten } = await getJson('/_local/deliveries', { method: 'DELETE' });
    flash(`Forgot ${forgotten} delivery record(s): the same notifications will be sent again`);
  });
  $('#clear-outbox').addEventListener('click', async () => {
    await fetch('/_local/outbox', { method: 'DELETE' });
    await loadOutbox();
    flash('Outbox cleared');
  });
  connect();
  loadActivity().catch(showError);
  loadOutbox().catch(showError);
  loadDeadLetters().catch(showError);
  document.body.dataset.ready = 'true';
};

start();
