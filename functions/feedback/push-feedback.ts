import * as z from 'zod';
import { PLATFORMS, type Platform, SNS_PLATFORM_OF } from '../shared/ports/directory.ts';
import { InvalidFeedbackError } from './feedback-errors.ts';
import { parseJsonMessage, unwrapSnsDelivery } from './sns-envelope.ts';

/**
 * SNS platform-application events (EventEndpointUpdated, EventDeliveryFailure)
 * as the relay acts on them: each names one endpoint whose device may be
 * dead. The event only says something happened; the consumer reads the
 * endpoint's live state before removing anything, so an endpoint re-enabled
 * with a fresh token in the meantime keeps its device. Pure: no I/O.
 */
export type PushFeedback =
  | {
      readonly kind: 'endpoint';
      readonly endpointArn: string;
      /** `EndpointUpdated` or `DeliveryFailure`. */
      readonly eventType: string;
      /** For delivery failures: `EndpointDisabled`, `InvalidPlatformToken`, ... */
      readonly failureType?: string;
    }
  | { readonly kind: 'ignored'; readonly reason: PushIgnoredReason };

export type PushIgnoredReason =
  /** EndpointCreated, EndpointDeleted: the directory API made those changes itself. */
  | 'other_event'
  /** SNS subscription messages, or a message that is not a platform event. */
  | 'not_an_event';

/** The events that can mean a device's token is dead. */
const ACTIONABLE_EVENTS: ReadonlySet<string> = new Set(['EndpointUpdated', 'DeliveryFailure']);

const PlatformEventSchema = z.looseObject({
  EventType: z.string(),
  EndpointArn: z
    .string()
    .regex(/^arn:aws[\w-]*:sns:[^:]*:\d*:endpoint\//, 'must be an SNS platform endpoint ARN')
    .optional(),
  FailureType: z.string().optional(),
  Resource: z.string().optional(),
});

/** Reads one SQS record body of the push feedback queue. Throws `InvalidFeedbackError` for what cannot be a platform event. */
export const parsePushFeedback = (body: string): PushFeedback => {
  const delivery = unwrapSnsDelivery(body);
  if (delivery.kind === 'control') return { kind: 'ignored', reason: 'not_an_event' };
  const json = parseJsonMessage(delivery.message);
  if (typeof json !== 'object' || json === null || !('EventType' in json)) return { kind: 'ignored', reason: 'not_an_event' };
  const parsed = PlatformEventSchema.safeParse(json);
  if (!parsed.success) {
    const paths = parsed.error.issues.slice(0, 5).map((issue) => issue.path.join('.') || '(root)');
    throw new InvalidFeedbackError(`The message is not an SNS platform event (failing: ${paths.join(', ')}).`);
  }
  const { EventType, EndpointArn, FailureType } = parsed.data;
  if (!ACTIONABLE_EVENTS.has(EventType)) return { kind: 'ignored', reason: 'other_event' };
  if (!EndpointArn) throw new InvalidFeedbackError(`A ${EventType} event without its EndpointArn.`);
  return {
    kind: 'endpoint',
    endpointArn: EndpointArn,
    eventType: EventType,
    ...(FailureType ? { failureType: FailureType } : {}),
  };
};

const PLATFORM_OF_SNS: ReadonlyMap<string, Platform> = new Map(
  PLATFORMS.map((platform) => [SNS_PLATFORM_OF[platform], platform]),
);

/** The device platform of an endpoint, from its ARN (`...:endpoint/<SNS platform>/<application>/<id>`). */
export const platformOfEndpointArn = (endpointArn: string): Platform | undefined => {
  const snsPlatform = /:endpoint\/([^/]+)\//.exec(endpointArn)?.[1];
  return snsPlatform === undefined ? undefined : PLATFORM_OF_SNS.get(snsPlatform);
};
