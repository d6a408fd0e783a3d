import { deliverOnce } from '../consumers/deliver-once.ts';
import type { Deliver } from '../consumers/notification-consumer.ts';
import type { DeliveryLedger } from '../shared/ports/delivery-ledger.ts';
import type { RecipientDirectory } from '../shared/ports/directory.ts';
import type { SmsSender } from '../shared/ports/senders.ts';
import type { SmsPayload } from '../shared/schemas/sms.ts';
import { sentOutcome, skippedOutcome } from './outcome.ts';
import { outcomeOfProviderError } from './provider-errors.ts';
import { buildSms, normaliseE164 } from './sms-message.ts';

export interface SmsDeliveryPorts {
  readonly directory: RecipientDirectory;
  readonly sender: SmsSender;
  readonly ledger: DeliveryLedger;
  readonly options: Parameters<typeof buildSms>[1];
}

/** SMS to `data.to.phno`, else the directory's phone (SPEC §4); opted-out numbers are skipped. */
export const deliverSms =
  ({ directory, sender, ledger, options }: SmsDeliveryPorts): Deliver<SmsPayload> =>
  async (payload, context) => {
    const phone = await phoneOf(payload, directory);
    if (!phone) {
      // A number CometChat sent that is not E.164, with nothing better in the directory, is not a missing contact.
      const reason = payload.data.to.phno ? 'invalid_recipient' : 'no_contact';
      return [{ target: 'sms', outcome: skippedOutcome(reason) }];
    }
    const outcome = await deliverOnce(ledger, context.idempotencyKey, async () => {
      try {
        if (await sender.isOptedOut(phone)) return skippedOutcome('opted_out');
        const { message, messageAttributes } = buildSms(payload, options);
        const { messageId } = await sender.publishSms({ phoneNumber: phone, message, messageAttributes });
        return sentOutcome(messageId);
      } catch (error) {
        return outcomeOfProviderError(error);
      }
    });
    return [{ target: 'sms', outcome }];
  };

const phoneOf = async (payload: SmsPayload, directory: RecipientDirectory): Promise<string | undefined> => {
  const given = payload.data.to.phno ? normaliseE164(payload.data.to.phno) : undefined;
  if (given) return given;
  const stored = (await directory.contactOf(payload.data.to.uid))?.phone;
  return stored ? normaliseE164(stored) : undefined;
};
