/**
 * Named errors for everything the relay answers or reports, classified once.
 * `HttpError`s carry the status and code of SPEC §3 and are turned into an
 * answer in exactly one place (`toErrorResponse` in http.ts).
 */
export type ErrorCode =
  | 'unauthorized'
  | 'invalid_json'
  | 'invalid_payload'
  | 'wrong_trigger'
  | 'wrong_webhook'
  | 'wrong_app'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'method_not_allowed'
  | 'unavailable'
  | 'invalid_request'
  | 'platform_not_configured';

export interface PayloadIssue {
  readonly path: string;
  readonly message: string;
}

export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** Extra fields merged into the JSON error body. */
  details(): Record<string, unknown> {
    return {};
  }

  headers(): Record<string, string> {
    return {};
  }
}

export class UnauthorizedError extends HttpError {
  override readonly name = 'UnauthorizedError';
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
  override headers(): Record<string, string> {
    return { 'www-authenticate': 'Basic realm="cometchat-relay"' };
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor(received: string | undefined) {
    super(
      415,
      'unsupported_media_type',
      received
        ? `Content-Type must be application/json, got "${received.slice(0, 100)}".`
        : 'Content-Type header is missing: send the body as application/json.',
    );
  }
}

export class PayloadTooLargeError extends HttpError {
  override readonly name = 'PayloadTooLargeError';
  constructor(readonly limitBytes: number) {
    super(413, 'payload_too_large', `Body is larger than the ${limitBytes}-byte limit.`);
  }
  override details(): Record<string, unknown> {
    return { limitBytes: this.limitBytes };
  }
}

export class InvalidJsonError extends HttpError {
  override readonly name = 'InvalidJsonError';
  constructor(message: string) {
    super(400, 'invalid_json', message);
  }
}

export class InvalidPayloadError extends HttpError {
  override readonly name = 'InvalidPayloadError';
  constructor(readonly issues: readonly PayloadIssue[]) {
    super(
      400,
      'invalid_payload',
      `Payload does not match the expected shape: ${issues
        .slice(0, 5)
        .map((issue) => `${issue.path || '(root)'}: ${issue.message}`)
        .join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}.`,
    );
  }
  override details(): Record<string, unknown> {
    return { issues: this.issues };
  }
}

export class WrongTriggerError extends HttpError {
  override readonly name = 'WrongTriggerError';
  constructor(expected: string, received: unknown) {
    super(
      400,
      'wrong_trigger',
      `This route accepts trigger ${expected}, got ${describeValue(received)}: check the webhook URL configured for this provider in CometChat.`,
    );
  }
}

export class WrongWebhookError extends HttpError {
  override readonly name = 'WrongWebhookError';
  constructor(received: unknown) {
    super(400, 'wrong_webhook', `Custom-provider routes accept webhook "custom", got ${describeValue(received)}.`);
  }
}

export class WrongAppError extends HttpError {
  override readonly name = 'WrongAppError';
  constructor() {
    super(403, 'wrong_app', 'The payload appId is not the CometChat app this relay is configured for.');
  }
}

export class NotFoundError extends HttpError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class MethodNotAllowedError extends HttpError {
  override readonly name = 'MethodNotAllowedError';
  constructor(readonly allowed: readonly string[]) {
    super(405, 'method_not_allowed', `Use ${allowed.join(' or ')} on this route.`);
  }
  override headers(): Record<string, string> {
    return { allow: this.allowed.join(', ') };
  }
}

/** Something the relay depends on (the queue, the secret) could not be reached within the budget. */
export class UnavailableError extends HttpError {
  override readonly name = 'UnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super(503, 'unavailable', message, options);
  }
}

const describeValue = (value: unknown): string =>
  typeof value === 'string' ? `"${value.slice(0, 100)}"` : value === undefined ? 'none' : typeof value;

/** A directory API request (path parameters or body) does not match its schema; `issues` name each failing field. */
export class InvalidRequestError extends HttpError {
  override readonly name = 'InvalidRequestError';
  constructor(readonly issues: readonly PayloadIssue[]) {
    super(
      400,
      'invalid_request',
      `Request is invalid: ${issues
        .slice(0, 5)
        .map((issue) => `${issue.path || '(body)'}: ${issue.message}`)
        .join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}.`,
    );
  }
  override details(): Record<string, unknown> {
    return { issues: this.issues };
  }
}

/** 401 for the directory API, whose callers authenticate with `Authorization: Bearer <admin token>`. */
export class BearerUnauthorizedError extends HttpError {
  override readonly name = 'BearerUnauthorizedError';
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
  override headers(): Record<string, string> {
    return { 'www-authenticate': 'Bearer realm="cometchat-relay"' };
  }
}

/** A device registers for a platform this deployment has no SNS platform application for: the operator must configure one. */
export class PlatformNotConfiguredError extends HttpError {
  override readonly name = 'PlatformNotConfiguredError';
  constructor(readonly platform: string) {
    super(
      422,
      'platform_not_configured',
      `No SNS platform application is configured for platform "${platform}": set platformApplicationArns.${platform} in the "cometchat-relay" CDK context (cdk.json) and deploy again.`,
    );
  }
  override details(): Record<string, unknown> {
    return { platform: this.platform };
  }
}
