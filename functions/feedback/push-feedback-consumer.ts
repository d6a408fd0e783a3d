import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FeedbackResult } from '../shared/metric-names.ts';
import { emfMetrics, type RelayMetrics, safely } from '../shared/metrics.ts';
import type { DirectoryAdmin } from '../shared/ports/directory.ts';
import type { PlatformEndpoints } from '../shared/ports/platform-endpoints.ts';
import { logger } from '../shared/powertools.ts';
import { describeCause } from '../shared/webhook-request.ts';
import { feedbackBatchHandler, readFeedbackRecord } from './feedback-records.ts';
import { type PushFeedback, parsePushFeedback, platformOfEndpointArn } from './push-feedback.ts';

export interface PushFeedbackConsumerOptions {
  /** Finds the devices holding a token and removes them: nothing else of the directory. */
  readonly directory: Pick<DirectoryAdmin, 'devicesByToken' | 'removeDevice'>;
  /** Reads the endpoint's live state and token. */
  readonly endpoints: Pick<PlatformEndpoints, 'describeEndpoint'>;
  /** Default: EMF (metric-names.ts). */
  readonly metrics?: RelayMetrics;
}

export type PushFeedbackConsumer = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

interface FeedbackOutcome {
  readonly result: FeedbackResult;
  readonly reason?: string;
  readonly removed?: number;
}

/**
 * The push feedback queue's consumer (the platform applications' event topics
 * → SQS): when SNS reports an endpoint disabled or a permanent delivery
 * failure, the devices that publish through that endpoint are removed, so
 * stale tokens clean themselves up before the next notification finds them.
 *
 * The device is found without a new index: the endpoint's token (read back
 * from SNS) leads to the devices through the directory's existing token index,
 * and only those still pointing at this endpoint are removed. The endpoint is
 * left as it is, as delivery does: a disabled endpoint for a dead token keeps
 * a re-registration of that same token disabled.
 */
export const createPushFeedbackConsumer = ({
  directory,
  endpoints,
  metrics = emfMetrics,
}: PushFeedbackConsumerOptions): PushFeedbackConsumer => {
  const apply = async (feedback: PushFeedback): Promise<FeedbackOutcome> => {
    if (feedback.kind === 'ignored') return { result: 'ignored', reason: feedback.reason };
    const platform = platformOfEndpointArn(feedback.endpointArn);
    if (!platform) return { result: 'ignored', reason: 'unknown_platform' };
    const endpoint = await endpoints.describeEndpoint(feedback.endpointArn);
    // Deleted since: its device item, if any is left, is removed by the next delivery (SNS answers NotFound).
    if (!endpoint) return { result: 'stale', reason: 'endpoint_gone' };
    if (endpoint.enabled) return { result: 'ignored', reason: 'endpoint_enabled' };
    if (!endpoint.token) return { result: 'stale', reason: 'no_token' };
    const devices = (await directory.devicesByToken(platform, endpoint.token)).filter(
      (device) => device.endpointArn === feedback.endpointArn,
    );
    if (devices.length === 0) return { result: 'stale', reason: 'no_device' };
    // Conditional on the endpoint: a device re-registered meanwhile (new token, new endpoint) is left alone.
    await Promise.all(
      devices.map((device) => directory.removeDevice(device.uid, device.deviceId, { endpointArn: feedback.endpointArn })),
    );
    return { result: 'applied', removed: devices.length };
  };

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    const feedback = readFeedbackRecord(record, parsePushFeedback, { logMessage: 'push feedback', what: 'push feedback' });
    const fields =
      feedback.kind === 'endpoint'
        ? {
            eventType: feedback.eventType,
            endpointArn: feedback.endpointArn,
            ...(feedback.failureType ? { failureType: feedback.failureType } : {}),
          }
        : {};
    let outcome: FeedbackOutcome;
    try {
      outcome = await apply(feedback);
    } catch (error) {
      logger.warn('push feedback', { ...fields, result: 'retry', cause: describeCause(error) });
      throw error;
    }
    logger.info('push feedback', {
      ...fields,
      result: outcome.result,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.removed ? { removedDevices: outcome.removed } : {}),
    });
    if (feedback.kind === 'endpoint') safely(() => metrics.feedback('push_endpoint', outcome.result));
  };

  return feedbackBatchHandler(handleRecord);
};
