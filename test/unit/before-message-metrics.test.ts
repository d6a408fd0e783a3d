import { afterEach, describe, expect, it, vi } from 'vitest';
import { countDecision, countPolicyError } from '../../functions/before-message/metrics.ts';

// The metrics are EMF lines on stdout, emitted at once (no flush step to forget).
const emitted = (act: () => void): Array<Record<string, any>> => {
  // The test run mutes EMF (vitest.config.ts); these tests are about it.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  act();
  const lines = write.mock.calls.map(([chunk]) => String(chunk)).filter((line) => line.includes('_aws'));
  return lines.map((line) => JSON.parse(line));
};

describe('before_message EMF metrics', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('counts a policy error as PolicyErrors in the CometChatRelay namespace', () => {
    const [line] = emitted(() => countPolicyError());
    expect(line?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'CometChatRelay',
      Metrics: [{ Name: 'PolicyErrors', Unit: 'Count' }],
    });
    expect(line?.PolicyErrors).toBe(1);
  });

  it('counts a decision by kind, without the rule', () => {
    const [line] = emitted(() => countDecision({ kind: 'drop', reason: 'blocked_word', rule: 'blockedWords[0]' }));
    expect(line).toMatchObject({ decision: 'drop', BeforeMessageDecisions: 1 });
    expect(JSON.stringify(line)).not.toContain('blockedWords');
  });
});
