import * as z from 'zod';
import { deliverOnce } from '../consumers/deliver-once.ts';
import type { Deliver } from '../consumers/notification-consumer.ts';
import type { DeliveryLedger } from '../shared/ports/delivery-ledger.ts';
import type { RecipientDirectory } from '../shared/ports/directory.ts';
import type { EmailSender } from '../shared/ports/senders.ts';
import type { EmailPayload } from '../shared/schemas/email.ts';
import { renderEmail } from './email-render.ts';
import { retryOutcome, sentOutcome, skippedOutcome } from './outcome.ts';
import { outcomeOfProviderError } from './provider-errors.ts';

export interface EmailDeliveryPorts {
  readonly directory: RecipientDirectory;
  /** Absent when no sender is configured: emails then end in the DLQ, to be redriven once it is. */
  readonly sender: EmailSender | undefined;
  readonly ledger: DeliveryLedger;
}

const EmailAddress = z.email();

/**
 * Email to `data.to.email`, else the directory's address (SPEC §4); an address
 * that bounced or complained is skipped as undeliverable.
 */
export const deliverEmail =
  ({ directory, sender, ledger }: EmailDeliveryPorts): Deliver<EmailPayload> =>
  async (payload, context) => {
    const given = payload.data.to.email?.trim();
    const valid = given && EmailAddress.safeParse(given).success ? given : undefined;
    // With the address in the payload, the contact only matters for its undeliverable mark, which exists only on a
    // contact older than a bounce: "none" from an eventually consistent read is then not read again consistently.
    const contact = await directory.contactOf(payload.data.to.uid, { recheckAbsent: valid === undefined });
    const address = valid ?? contact?.email;
    if (!address) return [{ target: 'email', outcome: skippedOutcome('no_contact') }];
    if (contact?.emailUndeliverable && contact.email?.toLowerCase() === address.toLowerCase()) {
      return [{ target: 'email', outcome: skippedOutcome('undeliverable') }];
    }
    if (!sender) return [{ target: 'email', outcome: retryOutcome('no sender email is configured (senderEmail)') }];
    const outcome = await deliverOnce(ledger, context.idempotencyKey, async () => {
      const { subject, html, text } = renderEmail(payload);
      try {
        const { messageId } = await sender.sendEmail({ to: address, subject, html, text, recipientUid: payload.data.to.uid });
        return sentOutcome(messageId);
      } catch (error) {
        return outcomeOfProviderError(error);
      }
    });
    return [{ target: 'email', outcome }];
  };
