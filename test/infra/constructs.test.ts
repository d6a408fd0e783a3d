import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../functions/shared/channels.ts';
import { ChannelQueue } from '../../lib/constructs/channel-queue.ts';
import { IngestApi } from '../../lib/constructs/ingest-api.ts';
import { cleanupAssemblies } from './relay-app.ts';

afterAll(cleanupAssemblies);

const newStack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'test');

describe('ChannelQueue', () => {
  it('names the queues <prefix>-<channel> and <prefix>-<channel>-dlq', () => {
    const stack = newStack();
    const { queue, deadLetterQueue } = new ChannelQueue(stack, 'Sms', { channel: 'sms', queueNamePrefix: 'relay' });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'relay-sms', MaximumMessageSize: 1_048_576 });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'relay-sms-dlq', MaximumMessageSize: 1_048_576 });
    expect(queue.deadLetterQueue?.queue).toBe(deadLetterQueue);
  });

  it('refuses a prefix SQS would refuse, before building anything', () => {
    const stack = newStack();

    expect(() => new ChannelQueue(stack, 'Push', { channel: 'push', queueNamePrefix: 'my relay' })).toThrow(/queueNamePrefix/);
    expect(() => new ChannelQueue(stack, 'Email', { channel: 'email', queueNamePrefix: 'x'.repeat(75) })).toThrow(/80 characters/);
    expect(stack.node.findAll().filter((c) => c instanceof Queue)).toEqual([]);
  });

  it('refuses an unknown channel and an impossible message size', () => {
    const stack = newStack();

    expect(() => new ChannelQueue(stack, 'Fax', { channel: 'fax' as Channel, queueNamePrefix: 'relay' })).toThrow(/unknown channel "fax"/);
    expect(() => new ChannelQueue(stack, 'Big', { channel: 'push', queueNamePrefix: 'relay', maxMessageSizeBytes: 2_000_000 })).toThrow(
      /maxMessageSizeBytes/,
    );
  });
});

describe('IngestApi', () => {
  const queuesIn = (stack: Stack) => ({
    push: new Queue(stack, 'PushQ'),
    sms: new Queue(stack, 'SmsQ'),
    email: new Queue(stack, 'EmailQ'),
  });

  it('refuses less than 512 MB of memory', () => {
    const stack = newStack();

    expect(() => new IngestApi(stack, 'Api', { queues: queuesIn(stack), memorySize: 256 })).toThrow(/memorySize/);
  });

  it('refuses a missing channel queue', () => {
    const stack = newStack();
    const { push, sms } = queuesIn(stack);

    expect(() => new IngestApi(stack, 'Api', { queues: { push, sms } as never })).toThrow(/missing the channel\(s\) email/);
  });

  it('refuses a body limit that is not a positive whole number', () => {
    const stack = newStack();

    expect(() => new IngestApi(stack, 'Api', { queues: queuesIn(stack), maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
  });

  it('exposes each channel\'s function and webhook URL', () => {
    const stack = newStack();
    const api = new IngestApi(stack, 'Api', { queues: queuesIn(stack) });

    expect(Object.keys(api.functions)).toEqual(['push', 'sms', 'email']);
    expect(stack.resolve(api.webhookUrls.sms)).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/HttpApi/), 'ApiEndpoint'] }, '/cometchat/sms']],
    });
  });
});
