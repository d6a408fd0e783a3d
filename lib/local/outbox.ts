import type { PublishedMessage } from './sns-emulator.ts';
import type { SnsEmulatorControls } from './sns-emulator-client.ts';

/** One thing that would have left the system (SPEC §7). */
export interface OutboxEntry {
  readonly channel: 'push' | 'sms' | 'email' | 'event';
  /** Who it is for: the uid of a push (when the endpoint knows it), the phone number, the email address, the topic. */
  readonly to: string;
  /** Where it went: the SNS endpoint, `sms`, `ses`, the topic ARN. */
  readonly target: string;
  readonly payload: unknown;
  /** ISO-8601. */
  readonly at: string;
  /** False for an SMS to an opted-out number, which SNS accepts but does not deliver. */
  readonly delivered?: boolean;
}

/** A published message-event, recorded by the local stack as the topic's subscriber. */
export interface RecordedEvent {
  readonly topicArn: string;
  readonly message: unknown;
  readonly attributes: Readonly<Record<string, string>>;
  readonly at: string;
}

export interface OutboxSources {
  readonly sns: SnsEmulatorControls;
  /** aws-ses-v2-local's base URL (its `/store` and `/clear-store`). */
  readonly sesEndpoint: string;
  readonly events?: { list(): readonly RecordedEvent[]; clear(): void };
  /** Endpoint ARN → uid, so push entries say who they are for. */
  readonly endpointOwners?: () => Promise<ReadonlyMap<string, string>>;
}

interface SesStoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

/** Reads the outbox back from the emulators, oldest first. */
export const readOutbox = async ({ sns, sesEndpoint, events, endpointOwners }: OutboxSources): Promise<OutboxEntry[]> => {
  const owners = (await endpointOwners?.()) ?? new Map<string, string>();
  const response = await fetch(`${sesEndpoint}/store`);
  if (!response.ok) throw new Error(`SES emulator answered ${response.status} for /store`);
  const { emails = [] } = (await response.json()) as { emails?: SesStoredEmail[] };
  const entries: OutboxEntry[] = [
    ...(await sns.published()).map((message) => fromSns(message, owners)),
    ...emails.flatMap((email) =>
      email.destination.to.map(
        (to): OutboxEntry => ({
          channel: 'email',
          to,
          target: 'ses',
          payload: { messageId: email.messageId, from: email.from, subject: email.subject, html: email.body.html, text: email.body.text },
          at: new Date(email.at * 1000).toISOString(),
        }),
      ),
    ),
    ...(events?.list() ?? []).map(
      (event): OutboxEntry => ({
        channel: 'event',
        to: event.topicArn,
        target: event.topicArn,
        payload: { message: event.message, attributes: event.attributes },
        at: event.at,
      }),
    ),
  ];
  return entries.sort((a, b) => a.at.localeCompare(b.at));
};

export const clearOutbox = async ({ sns, sesEndpoint, events }: OutboxSources): Promise<void> => {
  await sns.clearPublished();
  events?.clear();
  const response = await fetch(`${sesEndpoint}/clear-store`, { method: 'POST' });
  if (!response.ok) throw new Error(`SES emulator answered ${response.status} for /clear-store`);
};

const fromSns = (message: PublishedMessage, owners: ReadonlyMap<string, string>): OutboxEntry => {
  if (message.kind === 'sms') {
    return {
      channel: 'sms',
      to: message.phoneNumber ?? '',
      target: 'sms',
      payload: { message: message.message, attributes: message.messageAttributes },
      at: message.at,
      delivered: message.delivered,
    };
  }
  return {
    channel: 'push',
    to: owners.get(message.targetArn ?? '') ?? message.customUserData ?? message.targetArn ?? '',
    target: message.targetArn ?? '',
    payload: { platform: message.platform, message: parseJson(message.deliveredMessage), attributes: message.messageAttributes },
    at: message.at,
    delivered: message.delivered,
  };
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};
