import { SnsEmulatorError } from './errors.ts';
import type { FaultSpec } from './faults.ts';
import type { PublishedMessage } from './model.ts';
import type { EndpointSelector } from './state.ts';

/** The test and outbox controls, callable in process or through `/_emulator/` routes. */
export interface EmulatorControls {
  published(): PublishedMessage[];
  clearPublished(): void;
  /** Marks endpoints disabled as APNs/FCM feedback would; returns the ARNs disabled. */
  disableEndpoint(selector: EndpointSelector): string[];
  optOut(phoneNumber: string): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
}

export interface JsonReply {
  readonly status: number;
  /** Undefined for 204. */
  readonly body: unknown;
}

export const CONTROL_PREFIX = '/_emulator/';

/** Serves one control request; errors become `{ error, message }` with the error's status. */
export const handleControlRequest = (controls: EmulatorControls, method: string, path: string, rawBody: string): JsonReply => {
  try {
    return route(controls, method, path, rawBody);
  } catch (error) {
    if (error instanceof SnsEmulatorError) return { status: error.httpStatus, body: { error: error.code, message: error.message } };
    if (error instanceof SyntaxError) return { status: 400, body: { error: 'invalid_json', message: error.message } };
    return { status: 500, body: { error: 'internal_error', message: error instanceof Error ? error.message : String(error) } };
  }
};

const route = (controls: EmulatorControls, method: string, path: string, rawBody: string): JsonReply => {
  const resource = path.slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
  switch (`${method} ${resource}`) {
    case 'GET published':
      return { status: 200, body: controls.published() };
    case 'DELETE published':
      controls.clearPublished();
      return { status: 204, body: undefined };
    case 'POST endpoints/disable':
      return { status: 200, body: { disabled: controls.disableEndpoint(endpointSelector(jsonObject(rawBody))) } };
    case 'POST opt-out':
      controls.optOut(requiredString(jsonObject(rawBody), 'phoneNumber'));
      return { status: 204, body: undefined };
    case 'POST faults':
      controls.injectFault(faultSpec(jsonObject(rawBody)));
      return { status: 204, body: undefined };
    case 'DELETE faults':
      controls.clearFaults();
      return { status: 204, body: undefined };
    default:
      return { status: 404, body: { error: 'not_found', message: `No emulator control ${method} ${path}` } };
  }
};

class ControlRequestError extends SnsEmulatorError {
  override name = 'ControlRequestError';
  constructor(message: string) {
    super('invalid_request', 400, message);
  }
}

const jsonObject = (rawBody: string): Record<string, unknown> => {
  const value: unknown = JSON.parse(rawBody === '' ? '{}' : rawBody);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlRequestError('The body must be a JSON object');
  return value as Record<string, unknown>;
};

const requiredString = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new ControlRequestError(`"${name}" must be a non-empty string`);
  return value;
};

const endpointSelector = (body: Record<string, unknown>): EndpointSelector => {
  if (typeof body.endpointArn === 'string') return { endpointArn: body.endpointArn };
  if (typeof body.token === 'string') return { token: body.token };
  throw new ControlRequestError('Give "token" or "endpointArn"');
};

const faultSpec = (body: Record<string, unknown>): FaultSpec => {
  const optionalOf = <T>(name: string, type: 'string' | 'number'): T | undefined => {
    const value = body[name];
    if (value === undefined) return undefined;
    if (typeof value !== type) throw new ControlRequestError(`"${name}" must be a ${type}`);
    return value as T;
  };
  const action = optionalOf<string>('action', 'string');
  const count = optionalOf<number>('count', 'number');
  const message = optionalOf<string>('message', 'string');
  const status = optionalOf<number>('status', 'number');
  return {
    code: requiredString(body, 'code'),
    ...(action === undefined ? {} : { action }),
    ...(count === undefined ? {} : { count }),
    ...(message === undefined ? {} : { message }),
    ...(status === undefined ? {} : { status }),
  };
};
