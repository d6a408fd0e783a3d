import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { AccountSuspendedException, MessageRejected, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { EndpointDisabledException, InvalidParameterException, NotFoundException, ThrottledException } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import {
  type AwsErrorClass,
  classifyAwsError,
  describeDeliveryError,
  failedOutcome,
  outcomeForError,
  PermanentDeliveryError,
  retryOutcome,
  sentOutcome,
  skippedOutcome,
  TransientDeliveryError,
} from '../../functions/delivery/outcome.ts';

const status = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('classifyAwsError', () => {
  it.each<[string, unknown, AwsErrorClass]>([
    // Throttling, by modelled name and by wire code.
    ['SNS Throttled', { name: 'ThrottledException', ...status(429) }, 'transient'],
    ['generic Throttling', { name: 'Throttling', ...status(400) }, 'transient'],
    ['ThrottlingException', { name: 'ThrottlingException', ...status(400) }, 'transient'],
    ['SES TooManyRequests', { name: 'TooManyRequestsException', ...status(429) }, 'transient'],
    ['SES sending rate (LimitExceeded)', { name: 'LimitExceededException', ...status(400) }, 'transient'],
    ['DynamoDB ProvisionedThroughputExceeded', { name: 'ProvisionedThroughputExceededException', ...status(400) }, 'transient'],
    ['DynamoDB RequestLimitExceeded', { name: 'RequestLimitExceeded', ...status(400) }, 'transient'],
    ['KMS throttling', { name: 'KMSThrottlingException', ...status(400) }, 'transient'],
    // Server side, timeouts, network.
    ['SNS InternalError', { name: 'InternalErrorException', ...status(500) }, 'transient'],
    ['InternalFailure', { name: 'InternalFailure', ...status(500) }, 'transient'],
    ['ServiceUnavailable', { name: 'ServiceUnavailable', ...status(503) }, 'transient'],
    ['an unknown 5xx', { name: 'SomethingNew', ...status(502) }, 'transient'],
    ['an unknown 429', { name: 'SomethingNew', ...status(429) }, 'transient'],
    ['SDK TimeoutError', { name: 'TimeoutError' }, 'transient'],
    ['AbortError', { name: 'AbortError' }, 'transient'],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }), 'transient'],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    ['ETIMEDOUT', Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), 'transient'],
    ['$retryable from the SDK', { name: 'Odd', $retryable: { throttling: false }, ...status(400) }, 'transient'],
    ['SES account suspended: waits for a redrive', { name: 'AccountSuspendedException', ...status(400) }, 'transient'],
    ['SES sending paused', { name: 'SendingPausedException', ...status(400) }, 'transient'],
    ['our own TransientDeliveryError', new TransientDeliveryError('later'), 'transient'],
    ['something without name or status', new Error('boom'), 'transient'],
    ['not even an object', 'boom', 'transient'],
    // The endpoint is gone: remove the device.
    ['EndpointDisabled', { name: 'EndpointDisabledException', message: 'Endpoint is disabled', ...status(400) }, 'endpoint_gone'],
    ['EndpointDisabled by wire code', { name: 'EndpointDisabled', ...status(400) }, 'endpoint_gone'],
    [
      'InvalidParameter for a deleted endpoint',
      { name: 'InvalidParameterException', message: 'Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified', ...status(400) },
      'endpoint_gone',
    ],
    ['NotFound naming the endpoint', { name: 'NotFoundException', message: 'Endpoint does not exist', ...status(404) }, 'endpoint_gone'],
    // Permanent.
    ['SES MessageRejected', { name: 'MessageRejected', ...status(400) }, 'permanent'],
    ['SES MAIL FROM not verified', { name: 'MailFromDomainNotVerifiedException', ...status(400) }, 'permanent'],
    [
      'InvalidParameter not about the endpoint',
      { name: 'InvalidParameterException', message: 'Invalid parameter: PhoneNumber Reason: +1555 is not valid to publish to', ...status(400) },
      'permanent',
    ],
    [
      'a push too long for the provider',
      { name: 'InvalidParameterException', message: 'Invalid parameter: Message Reason: Invalid notification for protocol APNS: Notification is too long', ...status(400) },
      'permanent',
    ],
    ['InvalidParameterValue', { name: 'InvalidParameterValueException', ...status(400) }, 'permanent'],
    ['SES NotFound (configuration set)', { name: 'NotFoundException', message: 'Configuration set x does not exist', ...status(404) }, 'permanent'],
    ['AuthorizationError', { name: 'AuthorizationErrorException', ...status(403) }, 'permanent'],
    ['platform application disabled: not the device', { name: 'PlatformApplicationDisabledException', ...status(400) }, 'permanent'],
    ['KMS disabled', { name: 'KMSDisabledException', ...status(400) }, 'permanent'],
    ['an unknown 4xx', { name: 'SomethingNew', ...status(400) }, 'permanent'],
    ['our own PermanentDeliveryError', new PermanentDeliveryError('no'), 'permanent'],
  ])('%s → %s', (_name, error, expected) => {
    expect(classifyAwsError(error)).toBe(expected);
  });

  it('treats NotFound as a gone endpoint when the call targeted an endpoint', () => {
    const error = { name: 'NotFoundException', message: 'Resource does not exist', ...status(404) };
    expect(classifyAwsError(error, { target: 'endpoint' })).toBe('endpoint_gone');
    expect(classifyAwsError(error)).toBe('permanent');
  });

  it.each<[string, unknown, AwsErrorClass]>([
    ['SNS ThrottledException', new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }), 'transient'],
    ['SNS EndpointDisabledException', new EndpointDisabledException({ message: 'Endpoint is disabled', $metadata: {} }), 'endpoint_gone'],
    [
      'SNS InvalidParameterException for a deleted endpoint',
      new InvalidParameterException({ message: 'Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified', $metadata: {} }),
      'endpoint_gone',
    ],
    ['SNS NotFoundException on a publish', new NotFoundException({ message: 'Resource does not exist', $metadata: {} }), 'permanent'],
    ['SES TooManyRequestsException', new TooManyRequestsException({ message: 'Too many requests', $metadata: {} }), 'transient'],
    ['SES MessageRejected', new MessageRejected({ message: 'Email address is not verified.', $metadata: {} }), 'permanent'],
    ['SES AccountSuspendedException', new AccountSuspendedException({ message: 'suspended', $metadata: {} }), 'transient'],
    [
      'DynamoDB ProvisionedThroughputExceededException',
      new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
      'transient',
    ],
  ])('knows the real SDK class %s', (_name, error, expected) => {
    expect(classifyAwsError(error)).toBe(expected);
  });
});

describe('outcomes', () => {
  it.each([
    ['sent with an id', sentOutcome('m-1'), { kind: 'sent', providerMessageId: 'm-1' }],
    ['sent without an id', sentOutcome(), { kind: 'sent' }],
    ['sent with an empty id', sentOutcome(''), { kind: 'sent' }],
    ['skipped', skippedOutcome('no_device'), { kind: 'skipped', reason: 'no_device' }],
    ['retry', retryOutcome('ThrottledException HTTP 429'), { kind: 'retry', cause: 'ThrottledException HTTP 429' }],
    ['failed', failedOutcome('MessageRejected HTTP 400'), { kind: 'failed', cause: 'MessageRejected HTTP 400' }],
  ])('%s', (_name, outcome, expected) => {
    expect(outcome).toEqual(expected);
  });

  it.each([
    ['throttling → retry', { name: 'ThrottledException', message: 'Rate exceeded', ...status(429) }, { kind: 'retry', cause: 'ThrottledException HTTP 429' }],
    ['rejected → failed', { name: 'MessageRejected', message: 'to a@b.c', ...status(400) }, { kind: 'failed', cause: 'MessageRejected HTTP 400' }],
    ['endpoint gone → skipped as invalid recipient', { name: 'EndpointDisabledException', ...status(400) }, { kind: 'skipped', reason: 'invalid_recipient' }],
    [
      'network → retry, code kept',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      { kind: 'retry', cause: 'Error ECONNREFUSED' },
    ],
  ])('outcomeForError: %s', (_name, error, expected) => {
    expect(outcomeForError(error)).toEqual(expected);
  });

  it('never puts the error message (which may quote a number or an address) in the cause', () => {
    const error = { name: 'InvalidParameterException', message: 'Invalid parameter: PhoneNumber Reason: +14155550123', ...status(400) };
    expect(describeDeliveryError(error)).toBe('InvalidParameterException HTTP 400');
    expect(JSON.stringify(outcomeForError(error))).not.toContain('4155550123');
  });

  it('names its errors', () => {
    expect(new TransientDeliveryError('x').name).toBe('TransientDeliveryError');
    expect(new PermanentDeliveryError('x', { cause: new Error('y') })).toMatchObject({ name: 'PermanentDeliveryError', message: 'x' });
  });
});
