import * as z from 'zod';
import type { OutcomeRecord } from '../../functions/consumers/notification-consumer.ts';
import type { LambdaRoute } from '../../functions/shared/lambda-route.ts';

/**
 * The local stack's activity feed (SPEC §7): every webhook the relay answered
 * and every delivery outcome per target, newest first, linked by the SQS
 * message id that ingest answers and the consumers report. It holds what the
 * logs hold (routes, statuses, ids, reasons) plus the uid, which a developer
 * filters on; never message text, addresses or tokens.
 */

export type ActivityChannel = 'push' | 'sms' | 'email' | 'events' | 'before-message';

export interface WebhookActivity {
  readonly seq: number;
  readonly kind: 'webhook';
  readonly at: string;
  readonly channel: ActivityChannel;
  readonly route: string;
  readonly status: number;
  /** `accepted` for a 2xx, else `refused`: what the outcome filter matches. */
  readonly outcome: 'accepted' | 'refused';
  /** The relay's answer as sent (JSON), e.g. `{"status":"accepted","id":...}` or `{"error":...}`. */
  readonly answer: unknown;
  readonly uid?: string;
  /** The queued message's id (the answer's `id`): the outcomes of this webhook carry it too. */
  readonly messageId?: string;
  /** Filled in when the first outcome of the message arrives. */
  correlationId?: string;
}

export interface DeliveryActivity {
  readonly seq: number;
  readonly kind: 'delivery';
  readonly at: string;
  readonly channel: ActivityChannel;
  /** A device id or the channel name. */
  readonly target: string;
  readonly outcome: 'sent' | 'skipped' | 'retry' | 'failed';
  readonly reason?: string;
  readonly cause?: string;
  readonly correlationId: string;
  readonly messageId: string;
  readonly receiveCount: number;
  readonly uid?: string;
}

export type ActivityEntry = WebhookActivity | DeliveryActivity;

/** An outcome as the consumers report it, on any channel of the feed. */
export type ActivityOutcome = Omit<OutcomeRecord, 'channel'> & { readonly channel: ActivityChannel };

type NewEntry = Omit<WebhookActivity, 'seq' | 'at'> | Omit<DeliveryActivity, 'seq' | 'at'>;

export const ActivityQuerySchema = z.object({
  limit: z.coerce.number().int('limit is a whole number').min(1).max(500, 'at most 500 entries a page').default(50),
  /** Cursor: entries older than this `seq` (the `next` of the previous page). */
  before: z.coerce.number().int().min(0).optional(),
  channel: z.enum(['push', 'sms', 'email', 'events', 'before-message']).optional(),
  uid: z.string().min(1).max(200).optional(),
  outcome: z.enum(['accepted', 'refused', 'sent', 'skipped', 'retry', 'failed']).optional(),
  kind: z.enum(['webhook', 'delivery']).optional(),
  correlationId: z.string().min(1).max(500).optional(),
});

export type ActivityQuery = z.infer<typeof ActivityQuerySchema>;

export interface ActivityPage {
  readonly entries: readonly ActivityEntry[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  readonly next?: number;
  /** Entries held in all (before filtering). */
  readonly total: number;
}

export interface ActivityLogOptions {
  /** Oldest entries are dropped past this many. Default 50 000. */
  readonly maxEntries?: number;
  readonly now?: () => Date;
}

export interface ActivityLog {
  record(entry: NewEntry): ActivityEntry;
  /** The consumers' outcome listener (OutcomeRecord fits it). */
  readonly onOutcome: (record: ActivityOutcome) => void;
  list(query: ActivityQuery): ActivityPage;
  /** Hears every new entry (the console's server-sent events); returns the unsubscribe. */
  subscribe(listener: (entry: ActivityEntry) => void): () => void;
  clear(): void;
}

export const createActivityLog = ({ maxEntries = 50_000, now = () => new Date() }: ActivityLogOptions = {}): ActivityLog => {
  // Oldest first; seq only grows, so a page cursor stays valid while new entries arrive.
  let entries: ActivityEntry[] = [];
  let seq = 0;
  const byMessageId = new Map<string, WebhookActivity>();
  const listeners = new Set<(entry: ActivityEntry) => void>();

  const record = (entry: NewEntry): ActivityEntry => {
    seq += 1;
    const full = { ...entry, seq, at: now().toISOString() } as ActivityEntry;
    entries.push(full);
    if (full.kind === 'webhook' && full.messageId) byMessageId.set(full.messageId, full);
    if (entries.length > maxEntries) {
      const dropped = entries.slice(0, entries.length - maxEntries);
      entries = entries.slice(-maxEntries);
      for (const old of dropped) if (old.kind === 'webhook' && old.messageId) byMessageId.delete(old.messageId);
    }
    for (const listener of listeners) {
      try {
        listener(full);
      } catch {
        // A console that went away must not stop the relay.
      }
    }
    return full;
  };

  return {
    record,
    onOutcome: ({ channel, target, outcome, correlationId, messageId, receiveCount }) => {
      const webhook = byMessageId.get(messageId);
      if (webhook && !webhook.correlationId) webhook.correlationId = correlationId;
      record({
        kind: 'delivery',
        channel,
        target,
        outcome: outcome.kind,
        ...(outcome.kind === 'skipped' ? { reason: outcome.reason } : {}),
        ...(outcome.kind === 'retry' || outcome.kind === 'failed' ? { cause: outcome.cause } : {}),
        correlationId,
        messageId,
        receiveCount,
        ...(webhook?.uid ? { uid: webhook.uid } : {}),
      });
    },
    list(query) {
      const matching: ActivityEntry[] = [];
      let next: number | undefined;
      for (let index = entries.length - 1; index >= 0; index -= 1) {
        const entry = entries[index] as ActivityEntry;
        if (query.before !== undefined && entry.seq >= query.before) continue;
        if (!matches(entry, query)) continue;
        if (matching.length === query.limit) {
          next = matching[matching.length - 1]?.seq;
          break;
        }
        matching.push(entry);
      }
      return { entries: matching, ...(next === undefined ? {} : { next }), total: entries.length };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clear() {
      entries = [];
      byMessageId.clear();
    },
  };
};

const matches = (entry: ActivityEntry, query: ActivityQuery): boolean =>
  (query.channel === undefined || entry.channel === query.channel) &&
  (query.kind === undefined || entry.kind === query.kind) &&
  (query.outcome === undefined || entry.outcome === query.outcome) &&
  (query.uid === undefined || entry.uid === query.uid.toLowerCase()) &&
  (query.correlationId === undefined || entry.correlationId === query.correlationId);

/** The channel a webhook route feeds. */
const channelOfPath = (path: string): ActivityChannel | undefined => {
  const match = /^\/cometchat\/(push|sms|email|events|before-message)$/.exec(path);
  return match?.[1] as ActivityChannel | undefined;
};

/**
 * Wraps the webhook routes so each answer is recorded: the handler runs
 * unchanged (the same function the Lambda runs), and the wrapper reads the
 * request it was given and the answer it gave, as API Gateway's access log would.
 */
export const recordWebhooks = (routes: readonly LambdaRoute[], activity: ActivityLog): LambdaRoute[] =>
  routes.map((route) => {
    const channel = channelOfPath(route.path);
    if (!channel) return route;
    return {
      ...route,
      handler: async (event) => {
        const result = await route.handler(event);
        const status = result.statusCode ?? 200;
        const answer = parseJson(result.body, result.isBase64Encoded);
        const uid = uidOf(parseJson(event.body, event.isBase64Encoded));
        const messageId = (answer as { id?: unknown } | undefined)?.id;
        activity.record({
          kind: 'webhook',
          channel,
          route: `${route.method} ${route.path}`,
          status,
          outcome: status >= 200 && status < 300 ? 'accepted' : 'refused',
          answer,
          ...(uid ? { uid } : {}),
          ...(typeof messageId === 'string' ? { messageId } : {}),
        });
        return result;
      },
    };
  });

const parseJson = (body: string | undefined, base64: boolean | undefined): unknown => {
  if (body === undefined) return undefined;
  const text = base64 ? Buffer.from(body, 'base64').toString('utf8') : body;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** `data.to.uid` of a provider payload, or the sender/receiver of a message event; stored lowercased as the directory does. */
const uidOf = (payload: unknown): string | undefined => {
  const data = (payload as { data?: Record<string, any> } | undefined)?.data;
  const uid = data?.to?.uid ?? data?.message?.receiver ?? data?.receiver ?? data?.message?.sender ?? data?.sender;
  return typeof uid === 'string' && uid.length <= 200 ? uid.toLowerCase() : undefined;
};

interface EventLogger {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

const EVENT_OUTCOMES = new Set(['sent', 'skipped', 'retry', 'failed']);

/**
 * The events consumer takes a logger and writes one `event delivery` line per
 * record: this one writes through to the shared logger and records the line's
 * structured fields, so the events channel joins the feed without a local path
 * in the function.
 */
export const recordingEventLogger = (logger: EventLogger, activity: ActivityLog): EventLogger => {
  const tee =
    (level: keyof EventLogger) =>
    (message: string, ...extra: unknown[]) => {
      logger[level](message, ...extra);
      const fields = extra[0] as Record<string, unknown> | undefined;
      if (message !== 'event delivery' || !fields || !EVENT_OUTCOMES.has(String(fields.outcome))) return;
      const messageId = String(fields.messageId ?? '');
      const kind = fields.outcome as DeliveryActivity['outcome'];
      activity.onOutcome({
        channel: 'events',
        target: 'topic',
        outcome:
          kind === 'skipped'
            ? { kind, reason: 'duplicate' }
            : kind === 'sent'
              ? { kind }
              : { kind, cause: String(fields.reason ?? 'unknown') },
        correlationId: String(fields.correlationId ?? messageId),
        messageId,
        receiveCount: Number(fields.receiveCount ?? 1),
      });
    };
  return { info: tee('info'), warn: tee('warn'), error: tee('error') };
};
