import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_ROUTES } from '../../functions/shared/channels.ts';
import { messageEventsTopicName } from '../../lib/constructs/message-events-topic.ts';
import { queueName } from '../../lib/queue-settings.ts';
import { buildRelayStack, cleanupAssemblies, envOf, findOne, getAtt, STACK_NAME } from './relay-app.ts';

afterAll(cleanupAssemblies);

// The events queue, DLQ, ingest function and consumer are also covered by the per-channel suites
// (relay-stack.test.ts and consumers.test.ts run over every channel); this file holds what only events has.
const { template } = buildRelayStack();

const topic = () => findOne(template, 'AWS::SNS::Topic', (p) => p.TopicName === messageEventsTopicName(STACK_NAME));
/** The key the topic names: the stack has other keys (the alarm and SES feedback topics have their own). */
const key = () => {
  const keyId = (topic().properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return {
    id: keyId,
    properties: (template.findResources('AWS::KMS::Key')[keyId] as { Properties: Record<string, unknown> }).Properties,
  };
};

describe('message-events topic', () => {
  it('is encrypted with a customer-managed key of its own, which rotates', () => {
    expect(topic().properties.KmsMasterKeyId).toEqual(getAtt(key().id));
    expect(key().id).toMatch(/^MessageEventsKey/);
    expect(key().properties).toMatchObject({ EnableKeyRotation: true });
    // Symmetric: SNS cannot encrypt with any other kind of key.
    expect(key().properties.KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
  });

  it("keeps the key's use in the account's IAM policies: its key policy trusts the account and no one else", () => {
    expect(key().properties.KeyPolicy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'kms:*',
          Resource: '*',
          Principal: {
            AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
          },
        },
      ],
    });
  });

  it('refuses publishing over plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic().id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Resource: { Ref: topic().id },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('is published to by the events consumer only', () => {
    const publishers = Object.values(
      template.findResources('AWS::IAM::Policy') as Record<string, { Properties: { PolicyDocument: { Statement: unknown[] } } }>,
    )
      .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes('sns:Publish'))
      .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes(topic().id));

    expect(publishers).toHaveLength(1);
    expect(JSON.stringify(publishers[0])).toMatch(/EventsQueueConsumerRole/);
  });

  it('outputs its ARN for subscribers', () => {
    template.hasOutput('MessageEventsTopicArn', { Value: { Ref: topic().id } });
  });
});

describe('events webhook', () => {
  it('routes POST /cometchat/events to the ingest bundle told CHANNEL=events, which enqueues on the events queue', () => {
    const route = findOne(template, 'AWS::ApiGatewayV2::Route', (p) => p.RouteKey === `POST ${CHANNEL_ROUTES.events}`);
    const integrationId = JSON.stringify(route.properties.Target).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
    const integration = template.findResources('AWS::ApiGatewayV2::Integration')[integrationId] as {
      Properties: { IntegrationUri: { 'Fn::GetAtt': [string, string] } };
    };
    const fn = template.findResources('AWS::Lambda::Function')[integration.Properties.IntegrationUri['Fn::GetAtt'][0]] as {
      Properties: Record<string, unknown>;
    };
    const queue = findOne(template, 'AWS::SQS::Queue', (p) => p.QueueName === queueName(STACK_NAME, 'events'));

    expect(envOf(fn.Properties)).toMatchObject({ CHANNEL: 'events', QUEUE_URL: { Ref: queue.id } });
  });
});
