/**
 * Errors the SNS emulator answers with. Each one carries the query-protocol error code and
 * HTTP status that real SNS uses, so the AWS SDK turns it into the same exception class
 * (`EndpointDisabled` → `EndpointDisabledException`, `NotFound` → `NotFoundException`, ...).
 */
export class SnsEmulatorError extends Error {
  override name = 'SnsEmulatorError';

  constructor(
    /** The `<Code>` of the query-protocol error (not the SDK's exception name). */
    readonly code: string,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }

  /** Query protocol: `Receiver` for server faults, `Sender` for the caller's mistakes. */
  get faultType(): 'Sender' | 'Receiver' {
    return this.httpStatus >= 500 ? 'Receiver' : 'Sender';
  }
}

export class InvalidParameterError extends SnsEmulatorError {
  override name = 'InvalidParameterError';
  constructor(message: string) {
    super('InvalidParameter', 400, message);
  }
}

/** Message attribute problems: real SNS uses a separate code for them. */
export class ParameterValueInvalidError extends SnsEmulatorError {
  override name = 'ParameterValueInvalidError';
  constructor(message: string) {
    super('ParameterValueInvalid', 400, message);
  }
}

/** A required parameter is missing (the service-side model validation). */
export class ValidationError extends SnsEmulatorError {
  override name = 'ValidationError';
  constructor(parameter: string) {
    super('ValidationError', 400, `1 validation error detected: Value null at '${parameter}' failed to satisfy constraint: Member must not be null`);
  }
}

export class NotFoundError extends SnsEmulatorError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super('NotFound', 404, message);
  }
}

export class EndpointDisabledError extends SnsEmulatorError {
  override name = 'EndpointDisabledError';
  constructor() {
    super('EndpointDisabled', 400, 'Endpoint is disabled');
  }
}

export class PlatformApplicationDisabledError extends SnsEmulatorError {
  override name = 'PlatformApplicationDisabledError';
  constructor() {
    super('PlatformApplicationDisabled', 400, 'Platform application is disabled');
  }
}

export class InvalidActionError extends SnsEmulatorError {
  override name = 'InvalidActionError';
  constructor(action: string) {
    super('InvalidAction', 400, `The action ${action} is not valid for this web service.`);
  }
}

export class MissingActionError extends SnsEmulatorError {
  override name = 'MissingActionError';
  constructor() {
    super('MissingAction', 400, 'The request must contain the parameter Action.');
  }
}

export class RequestTooLargeError extends SnsEmulatorError {
  override name = 'RequestTooLargeError';
  constructor(limitBytes: number) {
    super('RequestEntityTooLarge', 413, `Request body is larger than ${limitBytes} bytes.`);
  }
}

/** A failure a test asked for through the fault-injection control. */
export class InjectedFaultError extends SnsEmulatorError {
  override name = 'InjectedFaultError';
}

/** The data file exists but cannot be read back: refusing to start beats silently losing the directory. */
export class SnsEmulatorStateError extends Error {
  override name = 'SnsEmulatorStateError';
}

const xmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export const escapeXml = (value: string): string => value.replace(/[&<>"']/g, (char) => xmlEscapes[char] ?? char);

export interface ErrorReply {
  readonly status: number;
  readonly body: string;
}

/**
 * The one place an error becomes a query-protocol reply. Anything that is not an
 * `SnsEmulatorError` is a bug in the emulator and is reported as SNS's `InternalError`.
 */
export const toErrorReply = (error: unknown, requestId: string): ErrorReply => {
  const known =
    error instanceof SnsEmulatorError
      ? error
      : new SnsEmulatorError('InternalError', 500, `Emulator failure: ${error instanceof Error ? error.message : String(error)}`);
  const body =
    '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
    `<Error><Type>${known.faultType}</Type><Code>${escapeXml(known.code)}</Code><Message>${escapeXml(known.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId>` +
    '</ErrorResponse>';
  return { status: known.httpStatus, body };
};
