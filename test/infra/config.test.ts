import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, LOG_RETENTION_DAYS, loadConfig, parseConfig } from '../../lib/config.ts';
import { RelayStack } from '../../lib/relay-stack.ts';
import { APNS_ARN, FCM_ARN, FULL_CONFIG } from './fixtures.ts';
import { buildRelayStack, cdkJsonContext, cleanupAssemblies, testAppProps } from './relay-app.ts';

afterAll(cleanupAssemblies);

describe('parseConfig', () => {
  it('fills in defaults that deploy', () => {
    expect(parseConfig({})).toEqual({
      maxBodyBytes: 262_144,
      ingestMemoryMb: 1024,
      logRetentionDays: 30,
      platformApplicationArns: {},
      pushCredentials: {},
      pushSuccessSampleRate: 10,
      sms: {},
      maxConcurrency: { push: 20, sms: 2, email: 5, events: 5 },
      sendRates: { push: 1000, sms: 20, email: 14 },
      alarms: {
        smsMonthlySpendUsd: 50,
        ingestLatencyP99Ms: 1500,
        oldestMessageAgeSeconds: { push: 600, sms: 900, email: 900, events: 600 },
      },
      api: { throttleRateLimit: 1000, throttleBurstLimit: 2000, directoryThrottleRateLimit: 50, directoryThrottleBurstLimit: 100 },
      reservedConcurrency: {},
      pushFeedback: true,
      ingest: 'lambda',
    });
    expect(parseConfig(undefined)).toEqual(parseConfig({}));
  });

  it('accepts a full configuration', () => {
    expect(
      parseConfig({ appId: 'abc123', maxBodyBytes: 65_536, ingestMemoryMb: 512, logRetentionDays: 365, ...FULL_CONFIG }),
    ).toEqual({
      appId: 'abc123',
      maxBodyBytes: 65_536,
      ingestMemoryMb: 512,
      logRetentionDays: 365,
      pushCredentials: {},
      pushSuccessSampleRate: 10,
      ...FULL_CONFIG,
      ingest: 'lambda',
    });
    expect(parseConfig({ ingest: 'direct' }).ingest).toBe('direct');
  });

  it('accepts every platform application with its own platform', () => {
    const arns = {
      fcm: 'arn:aws:sns:us-east-1:123456789012:app/GCM/a',
      apns: 'arn:aws:sns:us-east-1:123456789012:app/APNS/b',
      apns_sandbox: 'arn:aws:sns:us-east-1:123456789012:app/APNS_SANDBOX/c',
      apns_voip: 'arn:aws:sns:us-east-1:123456789012:app/APNS_VOIP/d',
      apns_voip_sandbox: 'arn:aws:sns:us-east-1:123456789012:app/APNS_VOIP_SANDBOX/e.f-g_h',
    };

    expect(parseConfig({ platformApplicationArns: arns }).platformApplicationArns).toEqual(arns);
  });

  it('treats empty strings as unset, so cdk.json can show every key', () => {
    expect(
      parseConfig({
        senderEmail: '',
        sesConfigurationSet: ' ',
        platformApplicationArns: { fcm: '', apns: '' },
        sms: { senderId: '', originationNumber: '', maxPrice: '' },
        policyFile: '',
      }),
    ).toEqual(parseConfig({}));
  });

  it('accepts maxPrice and maxConcurrency as numbers or strings', () => {
    expect(parseConfig({ sms: { maxPrice: 0.5 }, maxConcurrency: { sms: '3' } })).toMatchObject({
      sms: { maxPrice: '0.5' },
      maxConcurrency: { push: 20, sms: 3, email: 5, events: 5 },
    });
  });

  it('accepts whole numbers written as strings, as `-c` hands them over', () => {
    expect(parseConfig({ maxBodyBytes: '4096', ingestMemoryMb: ' 2048 ', logRetentionDays: '7' })).toMatchObject({
      maxBodyBytes: 4096,
      ingestMemoryMb: 2048,
      logRetentionDays: 7,
    });
  });

  it('takes policyFile as a trimmed path, checked against the file at synth (not here)', () => {
    expect(parseConfig({ policyFile: ' policy.json ' }).policyFile).toBe('policy.json');
    expect(parseConfig({ policyFile: 'missing.json' }).policyFile).toBe('missing.json');
    expect(loadConfig(new App({ context: { 'cometchat-relay.policyFile': 'policy.example.json' } })).policyFile).toBe(
      'policy.example.json',
    );
  });

  it('treats an empty appId as "any app"', () => {
    expect(parseConfig({ appId: '' }).appId).toBeUndefined();
  });

  it.each([
    ['maxBodyBytes', { maxBodyBytes: 0 }],
    ['maxBodyBytes', { maxBodyBytes: 10.5 }],
    ['maxBodyBytes', { maxBodyBytes: 2_000_000 }],
    ['maxBodyBytes', { maxBodyBytes: 'large' }],
    ['ingestMemoryMb', { ingestMemoryMb: 256 }],
    ['ingestMemoryMb', { ingestMemoryMb: 20_000 }],
    ['logRetentionDays', { logRetentionDays: 31 }],
    ['logRetentionDays', { logRetentionDays: 'forever' }],
    ['appId', { appId: 42 }],
    ['appId', { appId: 'my app' }],
    ['platformApplicationArns.fcm', { platformApplicationArns: { fcm: APNS_ARN } }],
    [
      'platformApplicationArns.apns',
      { platformApplicationArns: { apns: 'arn:aws:sns:eu-west-1:123456789012:app/APNS_SANDBOX/x' } },
    ],
    [
      'platformApplicationArns.apns_voip',
      { platformApplicationArns: { apns_voip: 'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS_VOIP/x/1' } },
    ],
    ['platformApplicationArns.fcm', { platformApplicationArns: { fcm: 'my-fcm-app' } }],
    ['platformApplicationArns', { platformApplicationArns: FCM_ARN }],
    ['senderEmail', { senderEmail: 'notifications' }],
    ['senderEmail', { senderEmail: 42 }],
    ['sesConfigurationSet', { sesConfigurationSet: 'relay events' }],
    ['sesConfigurationSet', { sesConfigurationSet: 'x'.repeat(65) }],
    ['sms.senderId', { sms: { senderId: '12345' } }],
    ['sms.senderId', { sms: { senderId: 'MyCompanyName' } }],
    ['sms.senderId', { sms: { senderId: 'My App' } }],
    ['sms.originationNumber', { sms: { originationNumber: '4155550100' } }],
    ['sms.originationNumber', { sms: { originationNumber: '+0155550100' } }],
    ['sms.originationNumber', { sms: { originationNumber: '+1 415 555 0100' } }],
    ['sms.maxPrice', { sms: { maxPrice: '0' } }],
    ['sms.maxPrice', { sms: { maxPrice: '$0.50' } }],
    ['sms', { sms: 'MyApp' }],
    ['maxConcurrency.sms', { maxConcurrency: { sms: 1 } }],
    ['maxConcurrency.push', { maxConcurrency: { push: 1001 } }],
    ['maxConcurrency.email', { maxConcurrency: { email: 2.5 } }],
    ['maxConcurrency.events', { maxConcurrency: { events: 0 } }],
    ['policyFile', { policyFile: 42 }],
    ['policyFile', { policyFile: ['policy.json'] }],
    ['alarms.email', { alarms: { email: 'oncall' } }],
    ['alarms.email', { alarms: { email: 'on call@example.com' } }],
    ['alarms.smsMonthlySpendUsd', { alarms: { smsMonthlySpendUsd: -5 } }],
    ['alarms.smsMonthlySpendUsd', { alarms: { smsMonthlySpendUsd: 0 } }],
    ['alarms.smsMonthlySpendUsd', { alarms: { smsMonthlySpendUsd: '$50' } }],
    ['alarms.ingestLatencyP99Ms', { alarms: { ingestLatencyP99Ms: 50 } }],
    ['alarms.ingestLatencyP99Ms', { alarms: { ingestLatencyP99Ms: 60_000 } }],
    ['alarms.oldestMessageAgeSeconds.sms', { alarms: { oldestMessageAgeSeconds: { sms: 30 } } }],
    ['alarms.oldestMessageAgeSeconds.push', { alarms: { oldestMessageAgeSeconds: { push: 400_000 } } }],
    ['alarms', { alarms: 'oncall@example.com' }],
    ['api.throttleRateLimit', { api: { throttleRateLimit: 0 } }],
    ['api.throttleBurstLimit', { api: { throttleBurstLimit: 1.5 } }],
    ['api.directoryThrottleRateLimit', { api: { directoryThrottleRateLimit: 0 } }],
    ['reservedConcurrency.webhooks', { reservedConcurrency: { webhooks: 0 } }],
    ['reservedConcurrency.directory', { reservedConcurrency: { directory: 2.5 } }],
    ['sendRates.email', { sendRates: { email: 0 } }],
    ['sendRates.sms', { sendRates: { sms: 'fast' } }],
    ['pushFeedback', { pushFeedback: 'yes' }],
  ])('names %s when it is wrong (%j)', (key, raw) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(new RegExp(`- ${key}: `));
  });

  it('says what a platform application ARN looks like, and which platform was found', () => {
    expect(() => parseConfig({ platformApplicationArns: { fcm: APNS_ARN } })).toThrow(
      /platformApplicationArns\.fcm: has platform APNS, but fcm needs platform GCM: expected arn:aws:sns:<region>:<account>:app\/GCM\/<name>/,
    );
    expect(() => parseConfig({ platformApplicationArns: { apns_voip_sandbox: 'x' } })).toThrow(/app\/APNS_VOIP_SANDBOX\/<name>/);
  });

  it('refuses platform applications in different regions or accounts: the functions call SNS in one', () => {
    const elsewhere = 'arn:aws:sns:us-west-2:123456789012:app/APNS/my-app-apns';

    expect(() => parseConfig({ platformApplicationArns: { fcm: FCM_ARN, apns: elsewhere } })).toThrow(
      /platformApplicationArns\.apns: is in aws us-west-2 123456789012 but fcm is in aws eu-west-1 123456789012/,
    );
  });

  it('names unknown keys inside object settings, listing the known ones', () => {
    expect(() => parseConfig({ platformApplicationArns: { gcm: FCM_ARN } })).toThrow(
      /platformApplicationArns\.gcm: unknown key \(known keys: fcm, apns, apns_sandbox, apns_voip, apns_voip_sandbox\)/,
    );
    expect(() => parseConfig({ maxConcurrency: { sms: 2, voice: 2 } })).toThrow(
      /maxConcurrency\.voice: unknown key \(known keys: push, sms, email, events\)/,
    );
  });

  it('names unknown keys of the alarm and API settings, listing the known ones', () => {
    expect(() => parseConfig({ alarms: { emails: 'a@example.com' } })).toThrow(
      /alarms\.emails: unknown key \(known keys: email, smsMonthlySpendUsd, ingestLatencyP99Ms, oldestMessageAgeSeconds\)/,
    );
    expect(() => parseConfig({ alarms: { oldestMessageAgeSeconds: { fax: 60 } } })).toThrow(
      /alarms\.oldestMessageAgeSeconds\.fax: unknown key \(known keys: push, sms, email, events\)/,
    );
    expect(() => parseConfig({ api: { rateLimit: 10 } })).toThrow(/api\.rateLimit: unknown key/);
  });

  it('says why a spend of 0 or less is refused', () => {
    expect(() => parseConfig({ alarms: { smsMonthlySpendUsd: -1 } })).toThrow(/must be more than 0 USD/);
  });

  it('accepts alarm and API settings written as strings, as `-c` hands them over, and an empty alarm email as unset', () => {
    expect(
      parseConfig({
        alarms: { email: '', smsMonthlySpendUsd: '12.5', ingestLatencyP99Ms: '1800', oldestMessageAgeSeconds: { sms: '1800' } },
        api: { throttleRateLimit: '200', throttleBurstLimit: '400' },
        pushFeedback: 'false',
      }),
    ).toMatchObject({
      alarms: {
        smsMonthlySpendUsd: 12.5,
        ingestLatencyP99Ms: 1800,
        oldestMessageAgeSeconds: { push: 600, sms: 1800, email: 900, events: 600 },
      },
      api: { throttleRateLimit: 200, throttleBurstLimit: 400 },
      pushFeedback: false,
    });
    expect(parseConfig({ alarms: { email: ' ' } }).alarms.email).toBeUndefined();
  });

  it('says which values logRetentionDays may take', () => {
    expect(() => parseConfig({ logRetentionDays: 31 })).toThrow(LOG_RETENTION_DAYS.join(', '));
  });

  it('refuses unknown keys, listing the known ones (a typo must not silently fall back to a default)', () => {
    expect(() => parseConfig({ maxBodyByte: 1 })).toThrow(/maxBodyByte: unknown key \(known keys: appId, maxBodyBytes/);
  });

  it('lists every failing key at once', () => {
    try {
      parseConfig({ maxBodyBytes: 0, ingestMemoryMb: 1 });
      expect.unreachable('parseConfig accepted an invalid configuration');
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^maxBodyBytes: /),
        expect.stringMatching(/^ingestMemoryMb: /),
      ]);
      expect((error as Error).message).toMatch(/cdk\.json/);
    }
  });

  it('refuses a configuration that is not an object', () => {
    expect(() => parseConfig([1])).toThrow(/cometchat-relay: must be an object/);
  });
});

describe('loadConfig', () => {
  const appWith = (context: Record<string, unknown>) => new App({ context });

  it('reads the cometchat-relay context of cdk.json', () => {
    expect(loadConfig(appWith(cdkJsonContext()))).toEqual(parseConfig({}));
  });

  it('reads a JSON string, as `-c cometchat-relay={...}` gives it', () => {
    expect(loadConfig(appWith({ 'cometchat-relay': '{"appId":"abc"}' })).appId).toBe('abc');
    expect(() => loadConfig(appWith({ 'cometchat-relay': '{appId' }))).toThrow(/is not JSON/);
  });

  it('lets `cometchat-relay.<key>` override the object', () => {
    const config = loadConfig(appWith({ 'cometchat-relay': { maxBodyBytes: 4096 }, 'cometchat-relay.maxBodyBytes': '8192' }));

    expect(config.maxBodyBytes).toBe(8192);
  });

  it('lets `cometchat-relay.<key>.<sub>` change one value of an object setting and keep the others', () => {
    const config = loadConfig(
      appWith({
        'cometchat-relay': { maxConcurrency: { push: 40, sms: 4 }, sms: { senderId: 'MyApp' } },
        'cometchat-relay.maxConcurrency.sms': '3',
        'cometchat-relay.sms.maxPrice': '0.25',
        'cometchat-relay.platformApplicationArns.fcm': FCM_ARN,
      }),
    );

    expect(config.maxConcurrency).toEqual({ push: 40, sms: 3, email: 5, events: 5 });
    expect(config.sms).toEqual({ senderId: 'MyApp', maxPrice: '0.25' });
    expect(config.platformApplicationArns).toEqual({ fcm: FCM_ARN });
  });

  it('lets `-c` change one alarm setting, at any depth, and keep the others', () => {
    const config = loadConfig(
      appWith({
        'cometchat-relay': { alarms: { email: 'oncall@example.com', oldestMessageAgeSeconds: { push: 300 } } },
        'cometchat-relay.alarms.smsMonthlySpendUsd': '20',
        'cometchat-relay.alarms.oldestMessageAgeSeconds.sms': '1800',
        'cometchat-relay.api.throttleBurstLimit': '3000',
        'cometchat-relay.pushFeedback': 'false',
      }),
    );

    expect(config.alarms).toEqual({
      email: 'oncall@example.com',
      smsMonthlySpendUsd: 20,
      ingestLatencyP99Ms: 1500,
      oldestMessageAgeSeconds: { push: 300, sms: 1800, email: 900, events: 600 },
    });
    expect(config.api).toEqual({
      throttleRateLimit: 1000,
      throttleBurstLimit: 3000,
      directoryThrottleRateLimit: 50,
      directoryThrottleBurstLimit: 100,
    });
    expect(config.pushFeedback).toBe(false);
  });

  it('reads a nested object setting given as a JSON string', () => {
    expect(
      loadConfig(appWith({ 'cometchat-relay.alarms.oldestMessageAgeSeconds': '{"email":1200}' })).alarms.oldestMessageAgeSeconds,
    ).toEqual({ push: 600, sms: 900, email: 1200, events: 600 });
  });

  it('reads an object setting given as a JSON string, as `-c cometchat-relay.sms={...}` gives it', () => {
    expect(loadConfig(appWith({ 'cometchat-relay.sms': '{"senderId":"MyApp"}' })).sms).toEqual({ senderId: 'MyApp' });
    expect(() => loadConfig(appWith({ 'cometchat-relay.sms': '{senderId' }))).toThrow(/cometchat-relay\.sms: is not JSON/);
  });

  it('validates a plain object too', () => {
    expect(loadConfig({ ingestMemoryMb: 2048 }).ingestMemoryMb).toBe(2048);
    expect(() => loadConfig({ ingestMemoryMb: 128 })).toThrow(/ingestMemoryMb/);
  });
});

describe('the stack and its configuration', () => {
  it.each([
    ['platformApplicationArns.fcm', { platformApplicationArns: { fcm: APNS_ARN } }],
    ['sms.senderId', { sms: { senderId: 'no spaces!' } }],
    ['sms.originationNumber', { sms: { originationNumber: '555-0100' } }],
    ['maxConcurrency.sms', { maxConcurrency: { sms: 1 } }],
    ['alarms.email', { alarms: { email: 'not-an-address' } }],
    ['alarms.smsMonthlySpendUsd', { alarms: { smsMonthlySpendUsd: -10 } }],
    ['api.throttleRateLimit', { api: { throttleRateLimit: -1 } }],
  ])('refuses to synthesize with a wrong %s, naming it', (key, raw) => {
    expect(() => buildRelayStack({ 'cometchat-relay': raw })).toThrow(ConfigError);
    expect(() => buildRelayStack({ 'cometchat-relay': raw })).toThrow(new RegExp(`- ${key.replace('.', '\\.')}: `));
  });

  it('refuses platform applications outside the account and region of a stack with an explicit environment', () => {
    const app = new App(testAppProps({ ...cdkJsonContext(), 'cometchat-relay': { platformApplicationArns: { fcm: FCM_ARN } } }));

    expect(() => new RelayStack(app, 'relay', { env: { account: '123456789012', region: 'us-east-1' } })).toThrow(
      /platformApplicationArns\.fcm: is in region eu-west-1, but the stack deploys to account 123456789012 region us-east-1/,
    );
    expect(() => new RelayStack(app, 'relay-eu', { env: { account: '123456789012', region: 'eu-west-1' } })).not.toThrow();
  });

  it('warns at synth that emails fail to the DLQ while senderEmail is not set, and not once it is', () => {
    // The stack's own metadata, as `cdk synth` prints it: no need to synthesize the whole app for it.
    const warningsOf = (config: Record<string, unknown>) => {
      const app = new App(testAppProps({ ...cdkJsonContext(), 'cometchat-relay': config }));
      return new RelayStack(app, 'relay').node.metadata
        .filter((entry) => entry.type === 'aws:cdk:warning')
        .map((entry) => String(entry.data))
        .filter((message) => /senderEmail is not configured.*DLQ/.test(message));
    };

    expect(warningsOf({})).toHaveLength(1);
    expect(warningsOf({ senderEmail: 'a@example.com' })).toEqual([]);
  });
});
