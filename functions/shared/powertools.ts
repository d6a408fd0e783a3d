import { AsyncLocalStorage } from 'node:async_hooks';
import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redact, redactText } from './redact.ts';

/** The service name every function logs and counts under when `POWERTOOLS_SERVICE_NAME` is not set. */
export const SERVICE_NAME = 'cometchat-relay';

/**
 * Keys that belong to one notification (its correlation id, its queue message
 * id) for as long as its code runs. Kept in async-local storage rather than in
 * `logger.appendKeys`: the batch processor handles the records of a batch
 * concurrently, and the local stack runs many invocations in one process, so
 * keys appended to the shared logger would land on other records' lines.
 */
const logContext = new AsyncLocalStorage<LogAttributes>();

/**
 * Runs `work` with `keys` on every log line it writes, however deep the call
 * (the directory adapter's warnings carry the record's correlation id too).
 * Nested contexts add to the outer one.
 */
export const withLogContext = <T>(keys: LogAttributes, work: () => T): T =>
  logContext.run({ ...logContext.getStore(), ...keys }, work);

/**
 * A slim JSON layout, every line passed through the shared redaction
 * (redact.ts) on its way out: whatever a call site hands the logger, a phone
 * number, address, token, credential or message text is masked by key or by
 * shape before it is printed.
 *
 * Slim because CloudWatch Logs bills every byte, on every delivery: of
 * Powertools' standard keys only `level`, `message` and `timestamp` are kept.
 * The Lambda context keys (function name, ARN, memory, cold start, request id)
 * are what Lambda's own START/END/REPORT lines and the log group already say;
 * `service` is the same on every line of the relay; `sampling_rate` is 0
 * unless debug sampling is on; the X-Ray trace id (set on
 * every invocation) is kept only when the trace is sampled, i.e. when there
 * is a trace to follow it to.
 */
export class RedactingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: typeof attributes.message === 'string' ? redactText(attributes.message) : attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
    };
    if (attributes.sampleRateValue) base.sampling_rate = attributes.sampleRateValue;
    if (attributes.xRayTraceId && isSampledTrace()) base.xray_trace_id = attributes.xRayTraceId;
    // Explicit fields win over the context's (a line may name another record than the one being handled).
    const additional = { ...logContext.getStore(), ...additionalLogAttributes };
    return new LogItem({ attributes: base }).addAttributes(redact(additional) as LogAttributes);
  }
}

/** Lambda sets `_X_AMZN_TRACE_ID` on every invocation; `Sampled=1` only when X-Ray records this one. */
const isSampledTrace = (): boolean => process.env._X_AMZN_TRACE_ID?.includes('Sampled=1') ?? false;

/** One logger for every function; the service name comes from POWERTOOLS_SERVICE_NAME when set. */
export const logger = new Logger({ serviceName: SERVICE_NAME, logFormatter: new RedactingLogFormatter() });
