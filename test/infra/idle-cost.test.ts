import { afterAll, describe, expect, it } from 'vitest';
import { IDLE_PRICES, idleCostModel } from '../../bench/cost.ts';
import { buildRelayStack, cleanupAssemblies } from './relay-app.ts';

afterAll(cleanupAssemblies);

type TemplateJson = Parameters<typeof idleCostModel>[0];

describe('idle cost model', () => {
  const { template } = buildRelayStack();
  const idle = idleCostModel(template.toJSON() as TemplateJson);
  const line = (item: string) => idle.lines.find((candidate) => candidate.item.startsWith(item));
  const count = (type: string) => Object.keys(template.findResources(type)).length;

  it('counts what the template holds, and prices it', () => {
    expect(line('KMS keys')).toMatchObject({
      count: count('AWS::KMS::Key'),
      monthly: count('AWS::KMS::Key') * IDLE_PRICES.kmsKeyMonth,
    });
    expect(line('Secrets Manager')).toMatchObject({ count: count('AWS::SecretsManager::Secret') });
    expect(line('CloudWatch alarms')?.count).toBe(count('AWS::CloudWatch::Alarm'));
    expect(line('CloudWatch dashboard')).toMatchObject({ count: 1, monthly: IDLE_PRICES.dashboardMonth });
    expect(line('CloudWatch custom metrics')?.monthly).toBe(0);
    // Five 20 s long-polls per queue consumer, a 30-day month: 648,000 receives at $0.40 per million.
    expect(line('Idle queue polling')).toMatchObject({
      count: count('AWS::Lambda::EventSourceMapping'),
      monthly: Math.round(count('AWS::Lambda::EventSourceMapping') * 648_000 * IDLE_PRICES.sqsRequest * 100) / 100,
    });
    expect(idle.totalMonthly).toBeCloseTo(
      idle.lines.reduce((total, { monthly }) => total + monthly, 0),
      2,
    );
    expect(idle.totalMonthly).toBeGreaterThan(5);
  });

  it('follows the configuration: no push feedback is one queue consumer and its alarms fewer', () => {
    const { template: lean } = buildRelayStack({ 'cometchat-relay.pushFeedback': 'false' });
    const leanIdle = idleCostModel(lean.toJSON() as TemplateJson);

    expect(leanIdle.totalMonthly).toBeLessThan(idle.totalMonthly);
    expect(leanIdle.lines.find((candidate) => candidate.item.startsWith('Idle queue polling'))?.count).toBe(
      (line('Idle queue polling')?.count ?? 0) - 1,
    );
  });
});
