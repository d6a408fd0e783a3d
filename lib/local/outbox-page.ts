import type { OutboxEntry } from './outbox.ts';

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `GET /_local/`: the outbox as a page. Emails are shown rendered inside a
 * sandboxed iframe (no scripts, no same-origin), so a payload can never run
 * code in the developer's browser.
 */
export const renderOutboxPage = (entries: readonly OutboxEntry[]): string => {
  const rows = entries
    .slice()
    .reverse()
    .map((entry) => {
      const payload = entry.payload as { html?: string; subject?: string } | undefined;
      const body =
        entry.channel === 'email' && payload?.html
          ? `<p><strong>${escapeHtml(payload.subject ?? '')}</strong></p><iframe sandbox="" srcdoc="${escapeHtml(payload.html)}"></iframe>`
          : `<pre>${escapeHtml(JSON.stringify(entry.payload, null, 2))}</pre>`;
      return `<section class="${entry.channel}"><h2>${escapeHtml(entry.channel)} → ${escapeHtml(entry.to)}</h2>
<p class="meta">${escapeHtml(entry.at)} · ${escapeHtml(entry.target)}${entry.delivered === false ? ' · <em>not delivered (opted out)</em>' : ''}</p>${body}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cometchat-relay outbox</title>
<meta http-equiv="refresh" content="5">
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#222}
section{border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}
section.push{border-left:6px solid #3b82f6}section.sms{border-left:6px solid #10b981}
section.email{border-left:6px solid #f59e0b}section.event{border-left:6px solid #8b5cf6}
h2{font-size:1rem;margin:0}.meta{color:#666;font-size:.85rem}
pre{background:#f6f6f6;padding:.75rem;overflow:auto;font-size:.8rem}
iframe{width:100%;height:24rem;border:1px solid #eee}
</style></head><body>
<h1>Outbox</h1>
<p>Everything the local relay would have sent, newest first (${entries.length}). JSON: <a href="/_local/outbox">/_local/outbox</a>. Clear: <code>curl -X DELETE http://127.0.0.1:3000/_local/outbox</code>.</p>
${rows || '<p>Nothing sent yet.</p>'}
</body></html>`;
};
