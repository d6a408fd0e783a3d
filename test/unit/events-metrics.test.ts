import { afterEach, describe, expect, it, vi } from 'vitest';
import { countEventOutcome } from '../../functions/events/metrics.ts';

// The metrics are EMF lines on stdout, emitted at once (no flush step to forget).
const emitted = (act: () => void): Array<Record<string, any>> => {
  // The test run mutes EMF (vitest.config.ts); these tests are about it.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  act();
  const lines = write.mock.calls.map(([chunk]) => String(chunk)).filter((line) => line.includes('_aws'));
  return lines.map((line) => JSON.parse(line));
};

describe('events EMF metrics', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('counts an event outcome as Deliveries by channel and outcome', () => {
    const [line] = emitted(() => countEventOutcome({ outcome: 'skipped', reason: 'duplicate' }));
    expect(line?._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'CometChatRelay' });
    expect(line).toMatchObject({ channel: 'events', outcome: 'skipped', Deliveries: 1 });
  });
});
