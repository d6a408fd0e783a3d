import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger, withLogContext } from '../../functions/shared/powertools.ts';
import { REDACTED } from '../../functions/shared/redact.ts';
import { type CapturedOutput, captureOutput } from '../support/capture.ts';

// The shared logger prints through the redacting formatter: whatever a call site passes, the line is masked.
let output: CapturedOutput;

beforeEach(() => {
  logger.setLogLevel('DEBUG');
  output = captureOutput();
});

afterEach(() => {
  output.stop();
  logger.setLogLevel('ERROR');
});

describe('the shared logger', () => {
  it('prints one slim JSON line: level, message, timestamp, then the fields', () => {
    // Act
    logger.info('delivery outcome', { channel: 'sms', outcome: 'sent' });

    // Assess
    const [line] = output.logs();
    expect(Object.keys(line ?? {})).toEqual(['level', 'message', 'timestamp', 'channel', 'outcome']);
    expect(line).toMatchObject({ level: 'INFO', message: 'delivery outcome', channel: 'sms', outcome: 'sent' });
    expect(line?.timestamp).toEqual(expect.any(String));
  });

  it('leaves out the Lambda context keys, the service and an unsampled X-Ray trace id, which every line would pay for', () => {
    // Prepare: what Lambda gives an invocation (a trace id on every one, sampled or not)
    vi.stubEnv(
      '_X_AMZN_TRACE_ID',
      'Root=1-6751a2b3-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0;Lineage=1:abcd1234:0',
    );
    logger.addContext({
      functionName: 'relay-push-consumer',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:relay-push-consumer',
      memoryLimitInMB: '512',
      awsRequestId: '0c1f1d4e-1234-4e5f-9abc-0123456789ab',
    } as Context);

    try {
      // Act
      logger.info('delivery outcome', { outcome: 'sent' });
      vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-6751a2b3-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1');
      logger.info('traced');
    } finally {
      vi.unstubAllEnvs();
    }

    // Assess
    const [untraced, traced] = output.logs();
    expect(Object.keys(untraced ?? {})).toEqual(['level', 'message', 'timestamp', 'outcome']);
    expect(traced?.xray_trace_id).toBe('1-6751a2b3-0123456789abcdef01234567');
  });

  it('masks accidental fields by name and contacts, tokens and credentials by shape, in the message too', () => {
    // Act
    logger.warn('could not reach andrew-joseph@example.com', {
      email: 'andrew-joseph@example.com',
      request: { headers: { authorization: 'Basic Y29tZXRjaGF0OmxvY2FscGFzc3dvcmQ=' }, body: '{"smsContent":"Are we meeting?"}' },
      cause: { name: 'InvalidParameter', message: 'Invalid parameter: PhoneNumber Reason: +919299334134 is not valid' },
    });

    // Assess
    const text = output.text();
    expect(text).not.toContain('andrew-joseph@example.com');
    expect(text).not.toContain('+919299334134');
    expect(text).not.toContain('Y29tZXRjaGF0OmxvY2FscGFzc3dvcmQ=');
    expect(text).not.toContain('Are we meeting?');
    const [line] = output.logs();
    expect(line).toMatchObject({
      message: 'could not reach ***@example.com',
      email: REDACTED,
      request: { headers: { authorization: REDACTED }, body: REDACTED },
      cause: { name: 'InvalidParameter', message: 'Invalid parameter: PhoneNumber Reason: +91***34 is not valid' },
    });
  });

  it('masks an error passed as extra input, and a string extra', () => {
    // Act
    logger.error('send failed', new Error('SES refused andrew-joseph@example.com'));
    logger.info('note', 'token 740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad');

    // Assess
    const [error, note] = output.logs();
    expect(error?.error).toMatchObject({ name: 'Error', message: 'SES refused ***@example.com' });
    expect(note?.extra).toBe('token 740f…78ad');
  });
});

describe('the slim layout', () => {
  it('still masks the message, the line’s fields and the log context’s keys', () => {
    // Act
    withLogContext({ correlationId: 'andrew-joseph@example.com' }, () =>
      logger.error('delivery outcome for +919299334134', {
        outcome: 'failed',
        cause: 'InvalidParameter: +919299334134 Bearer abcdefghijklmnop',
        to: 'andrew-joseph@example.com',
      }),
    );

    // Assess
    const text = output.text();
    for (const secret of ['andrew-joseph@example.com', '+919299334134', 'abcdefghijklmnop']) expect(text).not.toContain(secret);
    expect(output.logs()[0]).toMatchObject({
      message: 'delivery outcome for +91***34',
      correlationId: '***@example.com',
      cause: `InvalidParameter: +91***34 Bearer ${REDACTED}`,
      to: REDACTED,
    });
  });
});

describe('withLogContext', () => {
  it('puts the keys on every line written inside, however deep, and only there', async () => {
    // Act
    await withLogContext({ correlationId: 'tag-123', messageId: 'm-1' }, async () => {
      await Promise.resolve();
      logger.info('inside');
    });
    logger.info('outside');

    // Assess
    const [inside, outside] = output.logs();
    expect(inside).toMatchObject({ message: 'inside', correlationId: 'tag-123', messageId: 'm-1' });
    expect(outside?.correlationId).toBeUndefined();
  });

  it('keeps concurrent records apart (the batch processor handles them at the same time)', async () => {
    // Prepare
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
    const record = (id: string) =>
      withLogContext({ correlationId: id }, async () => {
        for (let step = 0; step < 3; step += 1) {
          await tick();
          logger.info('step', { expected: id });
        }
      });

    // Act
    await Promise.all(['a', 'b', 'c'].map(record));

    // Assess
    const lines = output.logs();
    expect(lines).toHaveLength(9);
    for (const line of lines) expect(line.correlationId).toBe(line.expected);
  });

  it('lets a field given on the line win over the context', () => {
    withLogContext({ correlationId: 'outer' }, () => logger.info('line', { correlationId: 'explicit' }));
    expect(output.logs()[0]?.correlationId).toBe('explicit');
  });
});
