import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../../lib/local/emulators.ts';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { localSendRatesFromEnv } from '../../lib/local/local-send-rates.ts';

// The local SES and SMS emulation enforce a send rate with the providers' own throttling errors, as the real SDK
// clients see them (SPEC §7, issue 10 point 3). Rates of 2 per second, and no SDK retries, so the third send of a
// quick burst is refused.

let emulators: RunningEmulators;
let ses: SESv2Client;
let sns: SNSClient;

beforeAll(async () => {
  emulators = await startEmulators({ sendRates: { email: 2, sms: 2 } });
  ses = new SESv2Client({ ...localClientConfig(emulators.endpoints.ses), maxAttempts: 1 });
  sns = new SNSClient({ ...localClientConfig(emulators.endpoints.sns), maxAttempts: 1 });
});

afterAll(async () => {
  ses?.destroy();
  sns?.destroy();
  await emulators?.stop();
});

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as { name: string; message: string; $metadata: { httpStatusCode?: number } },
  );

describe('the local provider rates', () => {
  it('SES v2 answers 429 TooManyRequestsException "Maximum sending rate exceeded." above the rate', async () => {
    const send = () =>
      ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'relay@example.com',
          Destination: { ToAddresses: ['reader@example.com'] },
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
        }),
      );
    const results = [await errorOf(send()), await errorOf(send()), await errorOf(send())];

    expect(results.slice(0, 2)).toEqual([undefined, undefined]);
    expect(results[2]).toMatchObject({
      name: 'TooManyRequestsException',
      message: 'Maximum sending rate exceeded.',
      $metadata: { httpStatusCode: 429 },
    });
    expect(emulators.sendRates.email.throttled()).toBe(1);
  });

  it('SNS answers an SMS above the rate with Throttling "Rate exceeded"', async () => {
    const publish = () => sns.send(new PublishCommand({ PhoneNumber: '+14155550100', Message: 'hello' }));
    const results = [await errorOf(publish()), await errorOf(publish()), await errorOf(publish())];

    expect(results.slice(0, 2)).toEqual([undefined, undefined]);
    expect(results[2]).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    expect(emulators.sendRates.sms.throttled()).toBe(1);
  });

  it('takes its rates from LOCAL_SES_SEND_RATE and LOCAL_SMS_SEND_RATE, the providers’ defaults otherwise, and refuses nonsense', () => {
    expect(localSendRatesFromEnv({})).toEqual({ email: 14, sms: 20 });
    expect(localSendRatesFromEnv({ LOCAL_SES_SEND_RATE: '1', LOCAL_SMS_SEND_RATE: '3.5' })).toEqual({ email: 1, sms: 3.5 });
    expect(() => localSendRatesFromEnv({ LOCAL_SMS_SEND_RATE: 'fast' })).toThrow(/LOCAL_SMS_SEND_RATE must be a positive number/);
  });
});
