import { describe, expect, it } from 'vitest';
import { parseRedriveArgs, REDRIVE_TARGETS, runRedrive, UsageError as RedriveUsageError } from '../../scripts/redrive.ts';
import { channelOf, parseSendArgs, runSend, sampleNames, UsageError as SendUsageError } from '../../scripts/send.ts';
import { SEED_NAMES } from '../fixtures/seeds.ts';

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }, out, err };
};

describe('npm run redrive: arguments', () => {
  it('targets AWS by default, with the stack name as the queue prefix', () => {
    expect(parseRedriveArgs(['sms'], {})).toEqual({
      target: 'sms',
      location: { kind: 'aws', stack: 'cometchat-relay' },
      wait: true,
      timeoutSeconds: 600,
    });
    expect(parseRedriveArgs(['email', '--stack', 'relay-prod', '--region', 'eu-west-1', '--no-wait', '--max', '50'], {})).toEqual(
      {
        target: 'email',
        location: { kind: 'aws', stack: 'relay-prod', region: 'eu-west-1' },
        wait: false,
        timeoutSeconds: 600,
        max: 50,
      },
    );
  });

  it('finds the local stack through its URL (PORT when set), or an SQS endpoint and prefix', () => {
    expect(parseRedriveArgs(['push', '--local'], { PORT: '4000' })).toMatchObject({
      location: { kind: 'local', url: 'http://127.0.0.1:4000' },
    });
    expect(parseRedriveArgs(['push', '--url', 'http://127.0.0.1:3999/'], {})).toMatchObject({
      location: { kind: 'local', url: 'http://127.0.0.1:3999' },
    });
    expect(parseRedriveArgs(['ses-feedback', '--endpoint', 'http://127.0.0.1:9324'], {})).toMatchObject({
      target: 'ses-feedback',
      location: { kind: 'endpoint', endpoint: 'http://127.0.0.1:9324', prefix: 'cometchat-relay-local' },
    });
  });

  it('knows the channel and feedback queues', () => {
    expect(REDRIVE_TARGETS).toEqual(['push', 'sms', 'email', 'events', 'ses-feedback', 'push-feedback']);
  });

  it.each([
    [[], /Name the queue/],
    [['fax'], /Unknown queue "fax"/],
    [['sms', 'email'], /One queue at a time/],
    [['sms', '--bogus'], /Unknown option '--bogus'/],
    [['sms', '--local', '--endpoint', 'http://x:1'], /not both/],
    [['sms', '--local', '--stack', 'x'], /for AWS/],
    [['sms', '--prefix', 'x'], /--prefix goes with --endpoint/],
    [['sms', '--max', '0'], /--max must be a positive whole number/],
    [['sms', '--endpoint', 'not a url'], /--endpoint must be a URL/],
  ])('refuses %j with a reason', (argv, reason) => {
    expect(() => parseRedriveArgs(argv, {})).toThrow(RedriveUsageError);
    expect(() => parseRedriveArgs(argv, {})).toThrow(reason);
  });

  it('prints the reason and the usage for bad arguments, exit code 2, and never a stack trace', async () => {
    const { io: streams, out, err } = io();
    expect(await runRedrive(['fax'], streams, {})).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toContain('Usage: npm run redrive -- <queue>');
    expect(err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('prints the usage for --help, exit code 0', async () => {
    const { io: streams, out } = io();
    expect(await runRedrive(['--help'], streams, {})).toBe(0);
    expect(out.join('\n')).toContain('--stack <name>');
  });

  it('says plainly when no local relay answers, exit code 1', async () => {
    const { io: streams, err } = io();
    expect(await runRedrive(['sms', '--url', 'http://127.0.0.1:9'], streams, {})).toBe(1);
    expect(err.join('\n')).toMatch(/^Redrive failed: No local relay answers at http:\/\/127\.0\.0\.1:9/);
  });
});

describe('npm run send: arguments', () => {
  it('lists the seed samples', () => {
    expect(sampleNames()).toEqual([...SEED_NAMES].sort());
  });

  it('posts a sample to its channel with the local defaults, or what the environment and flags say', () => {
    expect(parseSendArgs(['sms-group'], {})).toMatchObject({
      channel: 'sms',
      url: 'http://127.0.0.1:3000',
      user: 'cometchat',
      password: 'localpassword',
    });
    const options = parseSendArgs(
      [
        'push-call',
        '--url',
        'https://abc.execute-api.eu-west-1.amazonaws.com/',
        '--user',
        'u1',
        '--password',
        'p1',
        '--uid',
        'george',
      ],
      { WEBHOOK_USERNAME: 'env-user' },
    );
    expect(options).toMatchObject({
      channel: 'push',
      url: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      user: 'u1',
      password: 'p1',
    });
    expect(options !== 'help' && (options.payload.data as { to: { uid: string } }).to.uid).toBe('george');
    expect(
      parseSendArgs(['email-group'], { WEBHOOK_USERNAME: 'env-user', WEBHOOK_PASSWORD: 'env-pass', PORT: '4100' }),
    ).toMatchObject({
      user: 'env-user',
      password: 'env-pass',
      url: 'http://127.0.0.1:4100',
    });
  });

  it('routes by trigger: custom providers to their channel, anything else to events', () => {
    expect(channelOf({ trigger: 'email-notification-payload-generated' })).toBe('email');
    expect(channelOf({ trigger: 'message_sent' })).toBe('events');
    expect(() => channelOf({ trigger: 'before_message' })).toThrow(SendUsageError);
    expect(() => channelOf({})).toThrow(/no "trigger"/);
  });

  it('names the samples when the one asked for does not exist', async () => {
    const { io: streams, err } = io();
    expect(await runSend(['push-chatt'], streams, {})).toBe(2);
    expect(err[0]).toBe(
      `Unknown sample "push-chatt": use one of ${[...SEED_NAMES].sort().join(', ')}, or the path of a JSON file.\n`,
    );
    expect(err.join('\n')).toContain('Usage: npm run send -- <sample>');
  });

  it('refuses missing and extra samples and unknown flags', () => {
    expect(() => parseSendArgs([], {})).toThrow(/Name the sample/);
    expect(() => parseSendArgs(['push-chat', 'sms-group'], {})).toThrow(/One sample at a time/);
    expect(() => parseSendArgs(['push-chat', '--to', 'x'], {})).toThrow(SendUsageError);
    expect(() => parseSendArgs(['push-chat', '--url', 'nope'], {})).toThrow(/--url must be a URL/);
  });

  it('says plainly when the relay cannot be reached, exit code 1', async () => {
    const { io: streams, err } = io();
    expect(await runSend(['push-chat', '--url', 'http://127.0.0.1:9'], streams, {})).toBe(1);
    expect(err.join('\n')).toMatch(/^Could not reach http:\/\/127\.0\.0\.1:9\/cometchat\/push: /);
  });
});
