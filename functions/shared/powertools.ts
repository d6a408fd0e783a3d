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
 * Powertools' standard JSON layout, with every line passed through the shared
 * redaction (redact.ts) on its way out: whatever a call site hands the logger,
 * a phone number, address, token, credential or message text is masked by key
 * or by shape before it is printed.
 */
export class RedactingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const base = {
      level: attributes.logLevel,
      message: typeof attributes.message === 'string' ? redactText(attributes.message) : attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    // Explicit fields win over the context's (a line may name another record than the one being handled).
    const additional = { ...logContext.getStore(), ...additionalLogAttributes };
    return new LogItem({ attributes: base }).addAttributes(redact(additional) as LogAttributes);
  }
}

/** One logger for every function; the service name comes from POWERTOOLS_SERVICE_NAME when set. */
export const logger = new Logger({ serviceName: SERVICE_NAME, logFormatter: new RedactingLogFormatter() });
