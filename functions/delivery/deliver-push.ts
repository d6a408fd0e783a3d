import { deliverOnce } from '../consumers/deliver-once.ts';
import type { Deliver } from '../consumers/notification-consumer.ts';
import type { DeliveryLedger } from '../shared/ports/delivery-ledger.ts';
import type { RecipientDirectory } from '../shared/ports/directory.ts';
import type { PushSender } from '../shared/ports/senders.ts';
import type { PushPayload } from '../shared/schemas/push.ts';
import { outcomeOfProviderError } from './provider-errors.ts';
import { sentOutcome, skippedOutcome } from './outcome.ts';
import { buildPushMessage, pushTargetsFor } from './push-payloads.ts';

export interface PushDeliveryPorts {
  readonly directory: RecipientDirectory;
  readonly sender: PushSender;
  readonly ledger: DeliveryLedger;
}

/**
 * Push to every device of `data.to.uid` that the notification type goes to
 * (SPEC §4), each device at most once. A device whose endpoint the provider
 * disabled or forgot is removed, so stale tokens clean themselves up.
 */
export const deliverPush =
  ({ directory, sender, ledger }: PushDeliveryPorts): Deliver<PushPayload> =>
  async (payload, context) => {
    const uid = payload.data.to.uid;
    const details = payload.data.notificationDetails;
    const devices = pushTargetsFor(details, await directory.devicesOf(uid));
    if (devices.length === 0) return [{ target: 'push', outcome: skippedOutcome('no_device') }];

    return Promise.all(
      devices.map(async (device) => ({
        target: `device:${device.deviceId}`,
        outcome: await deliverOnce(ledger, `${context.idempotencyKey}#${device.deviceId}`, async () => {
          try {
            const { message, messageAttributes } = buildPushMessage(details, { platform: device.platform });
            const { messageId } = await sender.publishToEndpoint({ endpointArn: device.endpointArn, message, messageAttributes });
            return sentOutcome(messageId);
          } catch (error) {
            const outcome = outcomeOfProviderError(error, { target: 'endpoint' });
            if (outcome.kind === 'skipped') await directory.removeDevice(uid, device.deviceId, { endpointArn: device.endpointArn });
            return outcome;
          }
        }),
      })),
    );
  };
