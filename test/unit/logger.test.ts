import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
  it('prints one JSON line in the Powertools layout with the service name', () => {
    // Act
    logger.info('delivery outcome', { channel: 'sms', outcome: 'sent' });

    // Assess
    const [line] = output.logs();
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'delivery outcome',
      service: 'cometchat-relay',
      channel: 'sms',
      outcome: 'sent',
    });
    expect(line?.timestamp).toEqual(expect.any(String));
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
