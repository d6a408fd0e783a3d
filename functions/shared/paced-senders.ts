import type { EmailSender, PushSender, SmsSender } from './ports/senders.ts';
import type { SendPacer } from './send-rate.ts';

/**
 * The senders with their provider calls run through the channel's pacer
 * (send-rate.ts), so that every instance keeps to its share of the rate.
 * Only the sends are paced: SNS's opt-out check has its own, higher quota.
 */
export const pacedPushSender = (sender: PushSender, pacer: SendPacer): PushSender => ({
  publishToEndpoint: (input) => pacer.run(() => sender.publishToEndpoint(input)),
});

export const pacedSmsSender = (sender: SmsSender, pacer: SendPacer): SmsSender => ({
  isOptedOut: (phoneNumber) => sender.isOptedOut(phoneNumber),
  publishSms: (input) => pacer.run(() => sender.publishSms(input)),
});

export const pacedEmailSender = (sender: EmailSender, pacer: SendPacer): EmailSender => ({
  sendEmail: (input) => pacer.run(() => sender.sendEmail(input)),
});
