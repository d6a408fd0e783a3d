import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook } from '../support/http.ts';
import { notificationFor, pushCounts, type Relay, registerMembers, startRelay, waitFor } from './support/relay.ts';

// A 200,000-character push body (issue 10 point 6): accepted, delivered cut to the provider's limit, and cut in
// linear time before any grapheme segmentation (Node 20's Intl.Segmenter is quadratic: such a body used to hold the
// consumer, and the local stack with it, for minutes). Other webhooks sent at the same time are answered and
// delivered meanwhile, within deadlines far shorter than that freeze.

let relay: Relay;

beforeAll(async () => {
  relay = await startRelay({ stack: { visibilityTimeoutSeconds: 10 } });
});

afterAll(async () => relay?.stop());

describe('a 200,000-character push body', () => {
  it('is delivered truncated, while the other webhooks keep being answered and delivered', async () => {
    // Prepare: one member gets the huge push, twenty others an ordinary one each.
    const { stack } = relay;
    const members = await registerMembers(stack, 'huge', 21);
    const [huge = '', ...others] = members.uids;
    const hugePayload = notificationFor('push-chat', huge, 'huge-body');
    hugePayload.data.notificationDetails.body = `${'🙂 long text '.repeat(15_384)}end`.slice(0, 200_000);

    // Act: the huge one first, then the others while it is being delivered.
    const hugeAnswer = await postWebhook(stack.webhookUrls.push, hugePayload);
    const otherAnswers = await Promise.all(
      others.map((uid) => postWebhook(stack.webhookUrls.push, notificationFor('push-chat', uid, `ordinary-${uid}`))),
    );

    // Assess
    expect(hugeAnswer.status, hugeAnswer.text).toBe(200);
    expect(otherAnswers.filter((answer) => answer.status !== 200).map((answer) => answer.text)).toEqual([]);
    await waitFor(
      async () => {
        const counts = pushCounts(await relay.sns.published());
        return members.uids.every((uid) => counts.get(members.arnOf.get(uid) ?? '') === 1);
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'every push, the huge one included, delivered once' },
    );
    const delivered = (await relay.sns.published()).find((message) => message.targetArn === members.arnOf.get(huge));
    const document = JSON.parse(delivered?.message ?? '{}') as Record<string, string>;
    const fcm = JSON.stringify(document);
    expect(Buffer.byteLength(fcm, 'utf8')).toBeLessThan(8192);
    expect(fcm).toContain('…');
  });
});
