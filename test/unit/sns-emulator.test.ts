import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  CreatePlatformApplicationCommand,
  CreatePlatformEndpointCommand,
  CreateTopicCommand,
  DeleteEndpointCommand,
  DeletePlatformApplicationCommand,
  GetEndpointAttributesCommand,
  GetPlatformApplicationAttributesCommand,
  ListEndpointsByPlatformApplicationCommand,
  ListPhoneNumbersOptedOutCommand,
  ListPlatformApplicationsCommand,
  OptInPhoneNumberCommand,
  PublishCommand,
  SetEndpointAttributesCommand,
  SNSClient,
  SNSServiceException,
} from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SnsEmulator, startSnsEmulator } from '../../lib/local/sns-emulator.ts';
import { credentialAttributes } from '../../functions/platform-applications/push-credentials.ts';
import { localPushCredential } from '../../lib/local/local-push-credentials.ts';

/** Well-formed credentials of an SNS platform (the emulator checks their shape as SNS does). */
const credentialsFor = (platform: string) => {
  const relayPlatform = platform === 'GCM' ? 'fcm' : 'apns';
  return credentialAttributes(relayPlatform, localPushCredential(relayPlatform));
};

// The emulator is spoken to exactly as the relay speaks to SNS: the real SDK over HTTP.
const clientFor = (emulator: SnsEmulator, maxAttempts = 1) =>
  new SNSClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts,
  });

/** Runs a call that must fail and returns the SDK's exception. */
const failureOf = async (call: Promise<unknown>): Promise<SNSServiceException> => {
  try {
    await call;
  } catch (error) {
    if (error instanceof SNSServiceException) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
};

const ENDPOINT_ARN = /^arn:aws:sns:us-east-1:000000000000:endpoint\/(GCM|APNS|APNS_SANDBOX|APNS_VOIP|APNS_VOIP_SANDBOX)\/[\w.-]+\/[0-9a-f-]{36}$/;

let emulator: SnsEmulator;
let sns: SNSClient;
let appCounter = 0;

/** A fresh application per test keeps tokens from colliding between tests. */
const createApp = async (platform = 'APNS', client = sns) => {
  appCounter += 1;
  const name = `relay-${platform.toLowerCase()}-${appCounter}`;
  const { PlatformApplicationArn } = await client.send(
    new CreatePlatformApplicationCommand({ Name: name, Platform: platform, Attributes: credentialsFor(platform) }),
  );
  if (!PlatformApplicationArn) throw new Error('no application ARN');
  return PlatformApplicationArn;
};

const createEndpoint = async (applicationArn: string, token: string, customUserData?: string, client = sns) => {
  const { EndpointArn } = await client.send(
    new CreatePlatformEndpointCommand({ PlatformApplicationArn: applicationArn, Token: token, ...(customUserData ? { CustomUserData: customUserData } : {}) }),
  );
  if (!EndpointArn) throw new Error('no endpoint ARN');
  return EndpointArn;
};

const control = (path: string, init: RequestInit = {}) =>
  fetch(`${emulator.endpoint}/_emulator/${path}`, { ...init, headers: { 'content-type': 'application/json' } });

beforeAll(async () => {
  emulator = await startSnsEmulator();
  sns = clientFor(emulator);
});

afterEach(() => {
  emulator.clearPublished();
  emulator.clearFaults();
});

afterAll(async () => {
  sns.destroy();
  await emulator.stop();
});

describe('protocol', () => {
  it('answers the query protocol that client-sns 3.1169 sends: form-encoded POST, namespaced XML, request id header', async () => {
    const response = await fetch(`${emulator.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=CheckIfPhoneNumberIsOptedOut&Version=2010-03-31&phoneNumber=%2B15555550100',
    });
    const body = await response.text();
    const requestId = response.headers.get('x-amzn-requestid');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/xml');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toBe(
      '<CheckIfPhoneNumberIsOptedOutResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
        '<CheckIfPhoneNumberIsOptedOutResult><isOptedOut>false</isOptedOut></CheckIfPhoneNumberIsOptedOutResult>' +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
        '</CheckIfPhoneNumberIsOptedOutResponse>',
    );
  });

  it('answers an unknown action with an InvalidAction error document and HTTP 400', async () => {
    const response = await fetch(`${emulator.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=FlyToTheMoon&Version=2010-03-31',
    });
    const requestId = response.headers.get('x-amzn-requestid');

    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
        '<Error><Type>Sender</Type><Code>InvalidAction</Code><Message>The action FlyToTheMoon is not valid for this web service.</Message></Error>' +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  });

  it('surfaces an action it does not emulate (topics live in fauxqs) as InvalidAction through the SDK', async () => {
    const error = await failureOf(sns.send(new CreateTopicCommand({ Name: 'events' })));

    expect(error.name).toBe('InvalidAction');
    expect(error.message).toBe('The action CreateTopic is not valid for this web service.');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses to listen on a wildcard address', async () => {
    await expect(startSnsEmulator({ host: '0.0.0.0' })).rejects.toThrow('must listen on one interface');
  });
});

describe('platform applications', () => {
  it('creates, describes without credentials, lists and deletes an application', async () => {
    const { PlatformApplicationArn } = await sns.send(
      new CreatePlatformApplicationCommand({
        Name: 'cometchat-fcm',
        Platform: 'GCM',
        Attributes: { ...credentialsFor('GCM'), SuccessFeedbackSampleRate: '100' },
      }),
    );
    expect(PlatformApplicationArn).toBe('arn:aws:sns:us-east-1:000000000000:app/GCM/cometchat-fcm');
    const arn = PlatformApplicationArn ?? '';

    const { Attributes } = await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: arn }));
    expect(Attributes).toEqual({ Enabled: 'true', SuccessFeedbackSampleRate: '100' });

    const listed = await sns.send(new ListPlatformApplicationsCommand({}));
    expect(listed.PlatformApplications).toContainEqual({ PlatformApplicationArn: arn, Attributes: { Enabled: 'true', SuccessFeedbackSampleRate: '100' } });

    await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: arn }));
    await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: arn }));
    const after = await sns.send(new ListPlatformApplicationsCommand({}));
    expect(after.PlatformApplications?.map((application) => application.PlatformApplicationArn)).not.toContain(arn);
  });

  it('gives every relay platform its own ARN', async () => {
    for (const platform of ['GCM', 'APNS', 'APNS_SANDBOX', 'APNS_VOIP', 'APNS_VOIP_SANDBOX']) {
      const { PlatformApplicationArn } = await sns.send(
        new CreatePlatformApplicationCommand({ Name: 'relay', Platform: platform, Attributes: credentialsFor(platform) }),
      );
      expect(PlatformApplicationArn).toBe(`arn:aws:sns:us-east-1:000000000000:app/${platform}/relay`);
    }
  });

  it('returns the same ARN when an application is declared again, updating its attributes', async () => {
    const declare = (rate: string) =>
      sns.send(new CreatePlatformApplicationCommand({ Name: 'redeclared', Platform: 'APNS', Attributes: { ...credentialsFor('APNS'), SuccessFeedbackSampleRate: rate } }));

    const first = await declare('10');
    const second = await declare('50');
    const { Attributes } = await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: second.PlatformApplicationArn }));

    expect(second.PlatformApplicationArn).toBe(first.PlatformApplicationArn);
    expect(Attributes).toMatchObject({ Enabled: 'true', SuccessFeedbackSampleRate: '50' });
  });

  it('rejects an unsupported platform with InvalidParameterException', async () => {
    const error = await failureOf(sns.send(new CreatePlatformApplicationCommand({ Name: 'x', Platform: 'WNS', Attributes: {} })));

    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('Invalid parameter: Platform Reason: WNS is not supported');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('deletes the endpoints of a deleted application', async () => {
    const applicationArn = await createApp('GCM');
    const endpointArn = await createEndpoint(applicationArn, 'fcm-token-gone');

    await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: applicationArn }));

    const error = await failureOf(sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpointArn })));
    expect(error.name).toBe('NotFoundException');
  });
});

describe('platform endpoints', () => {
  it('creates an endpoint and reports its attributes', async () => {
    const applicationArn = await createApp('APNS');
    const endpointArn = await createEndpoint(applicationArn, 'a1b2c3', 'uid:alice');

    expect(endpointArn).toMatch(ENDPOINT_ARN);
    expect(endpointArn.startsWith(`arn:aws:sns:us-east-1:000000000000:endpoint/APNS/${applicationArn.split('/')[2]}/`)).toBe(true);
    const { Attributes } = await sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpointArn }));
    expect(Attributes).toEqual({ Enabled: 'true', Token: 'a1b2c3', CustomUserData: 'uid:alice' });
  });

  it('omits CustomUserData when none was given, as SNS does', async () => {
    const endpointArn = await createEndpoint(await createApp('GCM'), 'fcm-plain');

    const { Attributes } = await sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpointArn }));
    expect(Attributes).toEqual({ Enabled: 'true', Token: 'fcm-plain' });
  });

  it('returns the same ARN for the same token and attributes (idempotent)', async () => {
    const applicationArn = await createApp('GCM');
    const first = await createEndpoint(applicationArn, 'fcm-same', 'uid:bob');
    const second = await createEndpoint(applicationArn, 'fcm-same', 'uid:bob');

    expect(second).toBe(first);
    const { Endpoints } = await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn: applicationArn }));
    expect(Endpoints).toEqual([{ EndpointArn: first, Attributes: { Enabled: 'true', Token: 'fcm-same', CustomUserData: 'uid:bob' } }]);
  });

  it('fails for the same token with different attributes, naming the existing endpoint', async () => {
    const applicationArn = await createApp('GCM');
    const existing = await createEndpoint(applicationArn, 'fcm-moved', 'uid:carol');

    const error = await failureOf(createEndpoint(applicationArn, 'fcm-moved', 'uid:dave'));

    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe(`Invalid parameter: Token Reason: Endpoint ${existing} already exists with the same Token, but different attributes.`);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('treats a disabled endpoint asked for again as different attributes', async () => {
    const applicationArn = await createApp('APNS');
    const existing = await createEndpoint(applicationArn, 'apns-disabled-again');
    emulator.disableEndpoint({ endpointArn: existing });

    const error = await failureOf(createEndpoint(applicationArn, 'apns-disabled-again'));

    expect(error.message).toBe(`Invalid parameter: Token Reason: Endpoint ${existing} already exists with the same Token, but different attributes.`);
  });

  it('answers NotFound (404) for an unknown application', async () => {
    const error = await failureOf(createEndpoint('arn:aws:sns:us-east-1:000000000000:app/GCM/missing', 'token'));

    expect(error.name).toBe('NotFoundException');
    expect(error.message).toBe('PlatformApplication does not exist');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('answers NotFound (404) for the attributes of an unknown endpoint', async () => {
    const error = await failureOf(
      sns.send(new GetEndpointAttributesCommand({ EndpointArn: 'arn:aws:sns:us-east-1:000000000000:endpoint/GCM/x/00000000-0000-0000-0000-000000000000' })),
    );

    expect(error.name).toBe('NotFoundException');
    expect(error.message).toBe('Endpoint does not exist');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('updates a token and user data with SetEndpointAttributes', async () => {
    const endpointArn = await createEndpoint(await createApp('GCM'), 'fcm-old', 'uid:erin');

    await sns.send(new SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: { Token: 'fcm-new', CustomUserData: 'uid:frank' } }));

    const { Attributes } = await sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpointArn }));
    expect(Attributes).toEqual({ Enabled: 'true', Token: 'fcm-new', CustomUserData: 'uid:frank' });
  });

  it('rejects an unknown endpoint attribute', async () => {
    const endpointArn = await createEndpoint(await createApp('GCM'), 'fcm-attr');

    const error = await failureOf(sns.send(new SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: { Colour: 'blue' } })));

    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('Invalid parameter: Attributes Reason: Invalid attribute name: Colour');
  });

  it('deletes an endpoint idempotently; publishing to it then fails as SNS does', async () => {
    const applicationArn = await createApp('GCM');
    const endpointArn = await createEndpoint(applicationArn, 'fcm-deleted');

    await sns.send(new DeleteEndpointCommand({ EndpointArn: endpointArn }));
    await sns.send(new DeleteEndpointCommand({ EndpointArn: endpointArn }));

    const { Endpoints } = await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn: applicationArn }));
    expect(Endpoints).toEqual([]);
    const error = await failureOf(sns.send(new PublishCommand({ TargetArn: endpointArn, Message: 'hello' })));
    // Real SNS answers InvalidParameter (not NotFound) for a publish to an endpoint that no longer exists.
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('pages endpoint lists by 100 with a NextToken', async () => {
    const applicationArn = await createApp('GCM');
    for (let index = 0; index < 101; index += 1) await createEndpoint(applicationArn, `fcm-page-${index}`);

    const first = await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn: applicationArn }));
    const second = await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn: applicationArn, NextToken: first.NextToken }));

    expect(first.Endpoints).toHaveLength(100);
    expect(first.NextToken).toBeTypeOf('string');
    expect(second.Endpoints?.map((endpoint) => endpoint.Attributes?.Token)).toEqual(['fcm-page-100']);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('publish to a platform endpoint', () => {
  it('records a JSON-structured push with its platform payload and message attributes', async () => {
    const endpointArn = await createEndpoint(await createApp('APNS'), 'apns-record', 'uid:alice');
    const apns = JSON.stringify({ aps: { alert: { title: 'Alice', body: 'Hi' }, 'thread-id': 'group-1' } });
    const message = JSON.stringify({ default: 'Alice: Hi', APNS: apns, GCM: JSON.stringify({ data: { title: 'Alice' } }) });

    const { MessageId } = await sns.send(
      new PublishCommand({
        TargetArn: endpointArn,
        Message: message,
        MessageStructure: 'json',
        MessageAttributes: {
          'AWS.SNS.MOBILE.APNS.PUSH_TYPE': { DataType: 'String', StringValue: 'alert' },
          'AWS.SNS.MOBILE.APNS.PRIORITY': { DataType: 'String', StringValue: '10' },
          'AWS.SNS.MOBILE.APNS.TOPIC': { DataType: 'String', StringValue: 'com.example.chat' },
          'AWS.SNS.MOBILE.APNS.TTL': { DataType: 'Number', StringValue: '3600' },
          'AWS.SNS.MOBILE.APNS.COLLAPSE_ID': { DataType: 'String', StringValue: 'msg-42' },
        },
      }),
    );

    expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const [record] = emulator.published();
    expect(record).toEqual({
      id: MessageId,
      kind: 'push',
      targetArn: endpointArn,
      platform: 'APNS',
      token: 'apns-record',
      customUserData: 'uid:alice',
      message,
      messageStructure: 'json',
      deliveredMessage: apns,
      messageAttributes: {
        'AWS.SNS.MOBILE.APNS.PUSH_TYPE': 'alert',
        'AWS.SNS.MOBILE.APNS.PRIORITY': '10',
        'AWS.SNS.MOBILE.APNS.TOPIC': 'com.example.chat',
        'AWS.SNS.MOBILE.APNS.TTL': '3600',
        'AWS.SNS.MOBILE.APNS.COLLAPSE_ID': 'msg-42',
      },
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      delivered: true,
    });
  });

  it('delivers the default entry to a platform without its own entry', async () => {
    const endpointArn = await createEndpoint(await createApp('APNS_VOIP'), 'voip-default');

    await sns.send(new PublishCommand({ TargetArn: endpointArn, Message: JSON.stringify({ default: 'Incoming call', GCM: '{"data":{}}' }), MessageStructure: 'json' }));

    expect(emulator.published().map(({ platform, deliveredMessage }) => ({ platform, deliveredMessage }))).toEqual([
      { platform: 'APNS_VOIP', deliveredMessage: 'Incoming call' },
    ]);
  });

  it('records a binary attribute as its base64 text', async () => {
    const endpointArn = await createEndpoint(await createApp('GCM'), 'fcm-binary');

    await sns.send(
      new PublishCommand({ TargetArn: endpointArn, Message: 'plain text', MessageAttributes: { blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) } } }),
    );

    expect(emulator.published()[0]?.messageAttributes).toEqual({ blob: 'AQID' });
    expect(emulator.published()[0]?.messageStructure).toBeUndefined();
  });

  it('fails with EndpointDisabled once the provider disabled the endpoint, and works again once re-enabled', async () => {
    const endpointArn = await createEndpoint(await createApp('APNS'), 'apns-feedback');
    const disabled = await control('endpoints/disable', { method: 'POST', body: JSON.stringify({ token: 'apns-feedback' }) });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toEqual({ disabled: [endpointArn] });

    const error = await failureOf(sns.send(new PublishCommand({ TargetArn: endpointArn, Message: 'hello' })));
    expect(error.name).toBe('EndpointDisabledException');
    expect((error as SNSServiceException & { Code?: string }).Code).toBe('EndpointDisabled');
    expect(error.message).toBe('Endpoint is disabled');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect((await sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpointArn }))).Attributes?.Enabled).toBe('false');

    await sns.send(new SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: { Enabled: 'true' } }));
    const { MessageId } = await sns.send(new PublishCommand({ TargetArn: endpointArn, Message: 'hello again' }));

    expect(emulator.published().map(({ id, message, delivered }) => ({ id, message, delivered }))).toEqual([
      { id: MessageId, message: 'hello again', delivered: true },
    ]);
  });

  it('fails with PlatformApplicationDisabled when the whole application is disabled', async () => {
    const { PlatformApplicationArn } = await sns.send(
      new CreatePlatformApplicationCommand({ Name: 'expired-certificate', Platform: 'APNS', Attributes: { ...credentialsFor('APNS'), Enabled: 'false' } }),
    );
    const endpointArn = await createEndpoint(PlatformApplicationArn ?? '', 'apns-app-disabled');

    const error = await failureOf(sns.send(new PublishCommand({ TargetArn: endpointArn, Message: 'hello' })));

    expect(error.name).toBe('PlatformApplicationDisabledException');
    expect(error.message).toBe('Platform application is disabled');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('rejects a JSON-structured message that is not JSON', async () => {
    const endpointArn = await createEndpoint(await createApp('GCM'), 'fcm-bad-json');

    const error = await failureOf(sns.send(new PublishCommand({ TargetArn: endpointArn, Message: '{not json', MessageStructure: 'json' })));

    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('Invalid parameter: Message Structure - JSON message body failed to parse');
    expect(emulator.published()).toEqual([]);
  });

  it('rejects a JSON-structured message without a default entry', async () => {
    const endpointArn = await createEndpoint(await createApp('GCM'), 'fcm-no-default');

    const error = await failureOf(
      sns.send(new PublishCommand({ TargetArn: endpointArn, Message: JSON.stringify({ GCM: '{"data":{}}' }), MessageStructure: 'json' })),
    );

    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('Invalid parameter: Message Structure - No default entry in JSON message body');
  });

  it('rejects a platform entry that is not a JSON object', async () => {
    const endpointArn = await createEndpoint(await createApp('GCM'), 'fcm-malformed');

    const error = await failureOf(
      sns.send(new PublishCommand({ TargetArn: endpointArn, Message: JSON.stringify({ default: 'x', GCM: 'not an object' }), MessageStructure: 'json' })),
    );

    expect(error.message).toBe('Invalid parameter: Message Reason: Invalid notification for protocol GCM: Notification is malformed');
  });

  it('rejects an APNs payload over the 4 KB provider limit', async () => {
    const endpointArn = await createEndpoint(await createApp('APNS'), 'apns-too-long');
    const apns = JSON.stringify({ aps: { alert: 'x'.repeat(4100) } });

    const error = await failureOf(sns.send(new PublishCommand({ TargetArn: endpointArn, Message: JSON.stringify({ default: 'x', APNS: apns }), MessageStructure: 'json' })));

    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('Invalid parameter: Message Reason: Invalid notification for protocol APNS: Notification is too long');
  });

  it('rejects a message attribute without a value', async () => {
    const endpointArn = await createEndpoint(await createApp('GCM'), 'fcm-empty-attribute');

    const error = await failureOf(
      sns.send(new PublishCommand({ TargetArn: endpointArn, Message: 'x', MessageAttributes: { 'AWS.SNS.MOBILE.FCM.TTL': { DataType: 'String', StringValue: '' } } })),
    );

    // The wire code is ParameterValueInvalid; the SDK's class for it is InvalidParameterValueException.
    expect(error.name).toBe('InvalidParameterValueException');
    expect((error as SNSServiceException & { Code?: string }).Code).toBe('ParameterValueInvalid');
    expect(error.message).toBe("The message attribute 'AWS.SNS.MOBILE.FCM.TTL' must contain non-empty message attribute value for message attribute type 'String'.");
  });

  it('answers NotFound for a topic: topics are fauxqs territory', async () => {
    const error = await failureOf(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:events', Message: 'x' })));

    expect(error.name).toBe('NotFoundException');
    expect(error.message).toBe('Topic does not exist');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });
});

describe('SMS', () => {
  it('records an SMS with its SNS SMS attributes', async () => {
    const { MessageId } = await sns.send(
      new PublishCommand({
        PhoneNumber: '+14155550123',
        Message: 'Alice: are you there?',
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'CometChat' },
          'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+18005550100' },
          'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: '0.50' },
        },
      }),
    );

    expect(emulator.published()).toEqual([
      {
        id: MessageId,
        kind: 'sms',
        phoneNumber: '+14155550123',
        message: 'Alice: are you there?',
        deliveredMessage: 'Alice: are you there?',
        messageAttributes: {
          'AWS.SNS.SMS.SMSType': 'Transactional',
          'AWS.SNS.SMS.SenderID': 'CometChat',
          'AWS.MM.SMS.OriginationNumber': '+18005550100',
          'AWS.SNS.SMS.MaxPrice': '0.50',
        },
        at: expect.any(String),
        delivered: true,
        optedOut: false,
      },
    ]);
  });

  it.each(['4155550123', '+1', '+123456', '+1415555012345678', '+1 415 555 0123', '+0415550123'])('rejects %s as not E.164', async (phoneNumber) => {
    const error = await failureOf(sns.send(new PublishCommand({ PhoneNumber: phoneNumber, Message: 'hi' })));

    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe(`Invalid parameter: PhoneNumber Reason: ${phoneNumber} is not valid to publish to`);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('accepts the shortest and longest E.164 numbers', async () => {
    await sns.send(new PublishCommand({ PhoneNumber: '+1234567', Message: 'short' }));
    await sns.send(new PublishCommand({ PhoneNumber: '+123456789012345', Message: 'long' }));

    expect(emulator.published().map((message) => message.phoneNumber)).toEqual(['+1234567', '+123456789012345']);
  });

  it('rejects an unknown SMS type', async () => {
    const error = await failureOf(
      sns.send(new PublishCommand({ PhoneNumber: '+14155550124', Message: 'hi', MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Urgent' } } })),
    );

    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('Invalid parameter: MessageAttributes Reason: AWS.SNS.SMS.SMSType must be Promotional or Transactional, not Urgent');
  });

  it('accepts a publish to an opted-out number but records it as not delivered', async () => {
    const optOut = await control('opt-out', { method: 'POST', body: JSON.stringify({ phoneNumber: '+14155550199' }) });
    expect(optOut.status).toBe(204);

    const checked = await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: '+14155550199' }));
    const other = await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: '+14155550198' }));
    const { MessageId } = await sns.send(new PublishCommand({ PhoneNumber: '+14155550199', Message: 'you will not see this' }));

    expect(checked.isOptedOut).toBe(true);
    expect(other.isOptedOut).toBe(false);
    expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.published().map(({ id, delivered, optedOut }) => ({ id, delivered, optedOut }))).toEqual([
      { id: MessageId, delivered: false, optedOut: true },
    ]);
  });

  it('lists opted-out numbers and opts a number back in', async () => {
    emulator.optOut('+447700900123');

    const before = await sns.send(new ListPhoneNumbersOptedOutCommand({}));
    await sns.send(new OptInPhoneNumberCommand({ phoneNumber: '+447700900123' }));
    const after = await sns.send(new ListPhoneNumbersOptedOutCommand({}));

    expect(before.phoneNumbers).toContain('+447700900123');
    expect(after.phoneNumbers).not.toContain('+447700900123');
    expect(before.nextToken).toBeUndefined();
  });

  it('rejects a malformed number in CheckIfPhoneNumberIsOptedOut', async () => {
    const error = await failureOf(sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: 'call me' })));

    expect(error.name).toBe('InvalidParameterException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('fault injection', () => {
  it('fails the next N matching calls with Throttling, then succeeds, leaving other actions alone', async () => {
    const injected = await control('faults', { method: 'POST', body: JSON.stringify({ action: 'Publish', code: 'Throttling', count: 2 }) });
    expect(injected.status).toBe(204);

    const first = await failureOf(sns.send(new PublishCommand({ PhoneNumber: '+14155550001', Message: 'one' })));
    const unaffected = await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: '+14155550001' }));
    const second = await failureOf(sns.send(new PublishCommand({ PhoneNumber: '+14155550001', Message: 'two' })));
    const { MessageId } = await sns.send(new PublishCommand({ PhoneNumber: '+14155550001', Message: 'three' }));

    for (const error of [first, second]) {
      expect(error.name).toBe('Throttling');
      expect(error.message).toBe('Rate exceeded');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.$fault).toBe('client');
    }
    expect(unaffected.isOptedOut).toBe(false);
    expect(emulator.published().map(({ id, message }) => ({ id, message }))).toEqual([{ id: MessageId, message: 'three' }]);
  });

  it('injects InternalError as an HTTP 500 server fault', async () => {
    emulator.injectFault({ action: 'Publish', code: 'InternalError' });

    const error = await failureOf(sns.send(new PublishCommand({ PhoneNumber: '+14155550002', Message: 'x' })));

    expect(error.name).toBe('InternalErrorException');
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.$fault).toBe('server');
  });

  it('lets the SDK retry injected throttling until it succeeds', async () => {
    const retrying = clientFor(emulator, 3);
    emulator.injectFault({ action: 'Publish', code: 'Throttling', count: 1 });

    const result = await retrying.send(new PublishCommand({ PhoneNumber: '+14155550003', Message: 'eventually' }));
    retrying.destroy();

    expect(result.$metadata.attempts).toBe(2);
    expect(emulator.published().map((message) => message.id)).toEqual([result.MessageId]);
  });

  it('refuses a fault for an action it does not emulate, so a typo cannot pass silently', async () => {
    const response = await control('faults', { method: 'POST', body: JSON.stringify({ action: 'publish', code: 'Throttling' }) });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'InvalidParameter', message: 'No emulated action is called publish' });
  });

  it('clears pending faults', async () => {
    emulator.injectFault({ action: 'Publish', code: 'Throttling', count: 5 });
    const cleared = await control('faults', { method: 'DELETE' });

    await sns.send(new PublishCommand({ PhoneNumber: '+14155550004', Message: 'through' }));

    expect(cleared.status).toBe(204);
    expect(emulator.published()).toHaveLength(1);
  });
});

describe('control routes', () => {
  it('serves and clears the published list as JSON', async () => {
    await sns.send(new PublishCommand({ PhoneNumber: '+14155550005', Message: 'listed' }));

    const listed = await control('published');
    const body: unknown = await listed.json();
    const inProcess = emulator.published();
    const cleared = await control('published', { method: 'DELETE' });

    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-type')).toBe('application/json');
    expect(body).toEqual(inProcess);
    expect(body).toEqual([expect.objectContaining({ kind: 'sms', phoneNumber: '+14155550005', message: 'listed' })]);
    expect(cleared.status).toBe(204);
    expect(emulator.published()).toEqual([]);
  });

  it('answers 404 when no endpoint has the token to disable', async () => {
    const response = await control('endpoints/disable', { method: 'POST', body: JSON.stringify({ token: 'nobody-has-this' }) });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'NotFound', message: 'No endpoint has the token nobody-has-this' });
  });

  it('answers 400 for a body that is not JSON and for a bad fault', async () => {
    const notJson = await control('opt-out', { method: 'POST', body: '{' });
    const badFault = await control('faults', { method: 'POST', body: JSON.stringify({ code: 'Throttling', count: 0 }) });

    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toBe('invalid_json');
    expect(badFault.status).toBe(400);
    expect(await badFault.json()).toEqual({ error: 'InvalidParameter', message: 'A fault count must be a positive integer, not 0' });
  });

  it('answers 404 for an unknown control', async () => {
    const response = await control('nothing-here');

    expect(response.status).toBe(404);
  });
});

describe('persistence', () => {
  const directories: string[] = [];
  const tempDataFile = () => {
    const directory = mkdtempSync(join(tmpdir(), 'sns-emulator-'));
    directories.push(directory);
    return join(directory, 'nested', 'sns.json');
  };

  afterAll(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  it('keeps applications, endpoints, opt-outs and published messages across a restart', async () => {
    const dataFile = tempDataFile();
    const first = await startSnsEmulator({ dataFile });
    const firstClient = clientFor(first);
    const applicationArn = await createApp('GCM', firstClient);
    const enabledArn = await createEndpoint(applicationArn, 'fcm-kept', 'uid:gina', firstClient);
    const disabledArn = await createEndpoint(applicationArn, 'fcm-stale', undefined, firstClient);
    first.disableEndpoint({ endpointArn: disabledArn });
    first.optOut('+14155550077');
    const { MessageId } = await firstClient.send(new PublishCommand({ TargetArn: enabledArn, Message: 'before restart' }));
    firstClient.destroy();
    await first.stop();

    expect(existsSync(dataFile)).toBe(true);
    expect(readdirSync(join(dataFile, '..'))).toEqual(['sns.json']);

    const second = await startSnsEmulator({ dataFile });
    const secondClient = clientFor(second);
    try {
      const again = await createEndpoint(applicationArn, 'fcm-kept', 'uid:gina', secondClient);
      const stale = await secondClient.send(new GetEndpointAttributesCommand({ EndpointArn: disabledArn }));
      const optedOut = await secondClient.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: '+14155550077' }));

      expect(again).toBe(enabledArn);
      expect(stale.Attributes).toEqual({ Enabled: 'false', Token: 'fcm-stale' });
      expect(optedOut.isOptedOut).toBe(true);
      expect(second.published().map(({ id, message }) => ({ id, message }))).toEqual([{ id: MessageId, message: 'before restart' }]);
    } finally {
      secondClient.destroy();
      await second.stop();
    }
  });

  it('saves shortly after a change, without waiting for stop', async () => {
    const dataFile = tempDataFile();
    const running = await startSnsEmulator({ dataFile });
    try {
      running.optOut('+14155550080');

      const deadline = Date.now() + 2000;
      let saved = '';
      while (Date.now() < deadline) {
        saved = existsSync(dataFile) ? readFileSync(dataFile, 'utf8') : '';
        if (saved.includes('+14155550080')) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(JSON.parse(saved)).toEqual({ version: 1, applications: [], endpoints: [], optedOutPhoneNumbers: ['+14155550080'], published: [] });
    } finally {
      await running.stop();
    }
  });

  it('refuses to start from an unreadable data file instead of discarding it', async () => {
    const dataFile = tempDataFile();
    const first = await startSnsEmulator({ dataFile });
    first.optOut('+14155550078');
    await first.stop();
    writeFileSync(dataFile, '{"version": 1, "applications": [');

    await expect(startSnsEmulator({ dataFile })).rejects.toThrow(`Cannot read the SNS emulator data file ${dataFile}`);
  });
});

/** How long a Node HTTP server keeps an idle keep-alive connection by default. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

describe('stop', () => {
  it('resolves quickly with keep-alive sockets open, and can be called twice', async () => {
    const short = await startSnsEmulator();
    const client = clientFor(short);
    await client.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: '+14155550079' }));
    const started = performance.now();

    await Promise.all([short.stop(), short.stop()]);

    // Without closing them, stop() would wait for the client's idle keep-alive socket: as long as the
    // server's keep-alive timeout (Node's default, 5 s). A margin that a busy machine cannot use up.
    expect(performance.now() - started).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS);
    client.destroy();
  });
});
