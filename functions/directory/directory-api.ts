import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { LambdaRoute } from '../shared/lambda-route.ts';
import {
  HttpError,
  InvalidJsonError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  UnavailableError,
  UnsupportedMediaTypeError,
} from '../shared/errors.ts';
import { type HttpResult, headerValue, jsonResponse, toErrorResponse } from '../shared/http.ts';
import type { Contact } from '../shared/ports/directory.ts';
import { PlatformApplicationUnavailableError, TokenRejectedError } from '../shared/ports/platform-endpoints.ts';
import { emfMetrics, type RelayMetrics, safely } from '../shared/metrics.ts';
import { logger } from '../shared/powertools.ts';
import { type AdminTokenSource, authenticateAdmin } from './admin-auth.ts';
import { createDeviceRegistry, type DeviceRegistryDeps, type RegisteredDevice } from './device-registry.ts';
import {
  ContactDetailsSchema,
  DevicePathSchema,
  DeviceRegistrationSchema,
  toRequestIssues,
  UserPathSchema,
} from './directory-schemas.ts';
import { DIRECTORY_ROUTES, type DirectoryAction, directoryRouteKey } from './directory-routes.ts';
import { maskToken } from './token-mask.ts';

export { DIRECTORY_ROUTES } from './directory-routes.ts';

export interface DirectoryHandlerOptions extends DeviceRegistryDeps {
  readonly adminTokens: AdminTokenSource;
  /** Largest accepted body in bytes; the largest valid one (a 4096-character token) is far below. Default 16 KiB. */
  readonly maxBodyBytes?: number;
  /** Where served and refused requests are counted (route `directory`). Default: EMF (metric-names.ts). */
  readonly metrics?: RelayMetrics;
}

export type DirectoryHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

const DEFAULT_MAX_BODY_BYTES = 16 * 1024;
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
/** Answers carry personal data (contacts, device lists): no cache along the way may keep them. */
const NO_STORE = { 'cache-control': 'no-store' } as const;

const ACTION_OF_ROUTE_KEY: ReadonlyMap<string, DirectoryAction> = new Map(
  DIRECTORY_ROUTES.map((route) => [directoryRouteKey(route), route.action]),
);

/**
 * The directory API (SPEC §3, the app's backend → relay): authenticate with the
 * admin token before anything else, validate path and body, run the use case,
 * map the result or the error to the JSON contract. One handler serves every
 * directory route and dispatches on API Gateway's `routeKey`.
 */
export const createDirectoryHandler = (options: DirectoryHandlerOptions): DirectoryHandler => {
  const registry = createDeviceRegistry(options);
  const { directory, adminTokens } = options;
  const now = options.now ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const metrics = options.metrics ?? emfMetrics;

  const serve = async (action: DirectoryAction, event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    switch (action) {
      case 'registerDevice': {
        const { uid, deviceId } = parse(DevicePathSchema, event.pathParameters);
        const { platform, token } = parse(DeviceRegistrationSchema, readJsonBody(event, maxBodyBytes));
        return jsonResponse(200, deviceView(await registry.registerDevice({ uid, deviceId, platform, token })), NO_STORE);
      }
      case 'unregisterDevice': {
        const { uid, deviceId } = parse(DevicePathSchema, event.pathParameters);
        if (!(await registry.unregisterDevice(uid, deviceId))) {
          throw new NotFoundError(`No device "${deviceId}" is registered for user "${uid}".`);
        }
        return noContent();
      }
      case 'listDevices': {
        const { uid } = parse(UserPathSchema, event.pathParameters);
        // An unknown user simply has no devices: the app's backend need not know whether it registered any.
        return jsonResponse(200, { devices: (await registry.listDevices(uid)).map(deviceView) }, NO_STORE);
      }
      case 'putContact': {
        const { uid } = parse(UserPathSchema, event.pathParameters);
        const details = parse(ContactDetailsSchema, readJsonBody(event, maxBodyBytes));
        return jsonResponse(200, contactView(await directory.putContact(uid, details, now().toISOString())), NO_STORE);
      }
      case 'getContact': {
        const { uid } = parse(UserPathSchema, event.pathParameters);
        const contact = await directory.getContact(uid);
        if (!contact) throw new NotFoundError(`No contact is stored for user "${uid}".`);
        return jsonResponse(200, contactView(contact), NO_STORE);
      }
      case 'eraseUser': {
        const { uid } = parse(UserPathSchema, event.pathParameters);
        if (!(await registry.eraseUser(uid))) throw new NotFoundError(`Nothing is stored for user "${uid}".`);
        return noContent();
      }
    }
  };

  return async (event) => {
    const action = ACTION_OF_ROUTE_KEY.get(event.routeKey);
    try {
      if (!action) throw new NotFoundError(`No directory route ${event.routeKey}.`);
      await authenticateAdmin(event, adminTokens);
      const result = await serve(action, event);
      // uids may be email addresses: logs name the route, never the user.
      logger.info('directory request served', { route: event.routeKey, status: result.statusCode });
      safely(() => metrics.request('directory', 'accepted'));
      return result;
    } catch (error) {
      const answer = toHttpError(error);
      safely(() => metrics.request('directory', answer.code));
      return answerError(event.routeKey, error, answer);
    }
  };
};

/** The directory routes for the local server, all served by one handler as in API Gateway. */
export const directoryLambdaRoutes = (handler: DirectoryHandler): LambdaRoute[] =>
  DIRECTORY_ROUTES.map(({ method, path }) => ({ method, path, handler }));

/** What the API shows of a device: never the full token. */
export const deviceView = ({ uid, deviceId, platform, token, endpointArn, enabled, updatedAt }: RegisteredDevice) => ({
  uid,
  deviceId,
  platform,
  token: maskToken(token),
  endpointArn,
  enabled,
  updatedAt,
});

const contactView = ({ uid, phone, email, emailUndeliverable, updatedAt }: Contact) => ({
  uid,
  ...(phone === undefined ? {} : { phone }),
  ...(email === undefined ? {} : { email }),
  ...(emailUndeliverable === undefined ? {} : { emailUndeliverable }),
  updatedAt,
});

const noContent = (): HttpResult => ({ statusCode: 204, headers: { ...NO_STORE }, body: '' });

const parse = <Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> => {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new InvalidRequestError(toRequestIssues(result.error));
  return result.data;
};

const readJsonBody = (event: APIGatewayProxyEventV2, maxBodyBytes: number): unknown => {
  const contentType = headerValue(event.headers, 'content-type');
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const raw = event.body ?? '';
  const size = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : Buffer.byteLength(raw, 'utf8');
  if (size > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  let text = raw;
  if (event.isBase64Encoded) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(raw, 'base64'));
    } catch {
      throw new InvalidJsonError('Body is not valid UTF-8 text.');
    }
  }
  if (text.trim() === '') throw new InvalidJsonError('Body is empty: send a JSON object.');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new InvalidJsonError(`Body is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError([{ path: '', message: 'expected a JSON object' }]);
  }
  return body;
};

/** The one place a directory failure becomes an answer; anything unexpected is 503, logged, never a stack trace. */
const answerError = (route: string, error: unknown, answer: HttpError): HttpResult => {
  if (answer.status >= 500) {
    logger.error('directory request failed', { route, status: answer.status, error: answer.code, cause: describeCause(error) });
  } else {
    logger.warn('directory request refused', { route, status: answer.status, error: answer.code });
  }
  return toErrorResponse(answer);
};

const toHttpError = (error: unknown): HttpError => {
  if (error instanceof HttpError) return error;
  if (error instanceof TokenRejectedError) return new InvalidRequestError([{ path: 'token', message: error.reason }]);
  if (error instanceof PlatformApplicationUnavailableError) {
    return new UnavailableError(
      `The SNS platform application for this platform is ${error.reason === 'disabled' ? 'disabled (check its credentials)' : 'missing'}: the operator must fix platformApplicationArns; retry later.`,
    );
  }
  return new UnavailableError('The directory could not be updated or read right now; retry later.');
};

/**
 * Error name and message only (an SDK error's own fields may echo request
 * data), with long token-like runs masked in case a message quotes one.
 */
const describeCause = (cause: unknown) => {
  const root = cause instanceof HttpError && cause.cause !== undefined ? cause.cause : cause;
  return root instanceof Error
    ? {
        name: root.name,
        message: root.message.slice(0, 300).replace(/[A-Za-z0-9_\-+/=]{24,}/g, (run) => maskToken(run)),
        ...(root instanceof PlatformApplicationUnavailableError ? { applicationArn: root.applicationArn } : {}),
      }
    : undefined;
};
