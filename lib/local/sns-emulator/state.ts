import { randomUUID } from 'node:crypto';
import { assertPlatformCredentials } from './credentials.ts';
import {
  EndpointDisabledError,
  InvalidParameterError,
  NotFoundError,
  PlatformApplicationDisabledError,
  ValidationError,
} from './errors.ts';
import {
  assertPublishablePhoneNumber,
  assertPublishSize,
  assertSmsAttributes,
  flattenMessageAttributes,
  isE164,
  parseStructuredMessage,
  pushPayloadFor,
} from './messages.ts';
import {
  PLATFORMS,
  type Platform,
  type PlatformApplication,
  type PlatformEndpoint,
  type PublishedMessage,
  type StateSnapshot,
} from './model.ts';
import type { MessageAttributeInput } from './query.ts';

/** The account id every local emulator uses in its ARNs. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** Keeps memory and the data file bounded over a long local session; the oldest go first. */
const MAX_RECORDED_MESSAGES = 10_000;

const APPLICATION_NAME = /^[A-Za-z0-9._-]{1,256}$/;
const ENDPOINT_ATTRIBUTES = new Set(['Enabled', 'Token', 'CustomUserData']);
/** Credentials go in but never come out of SNS's read APIs. */
const SECRET_APPLICATION_ATTRIBUTES = new Set(['PlatformCredential', 'PlatformPrincipal']);

export interface CreateEndpointRequest {
  readonly applicationArn: string;
  readonly token: string;
  readonly customUserData: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface PublishRequest {
  readonly message: string | undefined;
  readonly topicArn: string | undefined;
  readonly targetArn: string | undefined;
  readonly phoneNumber: string | undefined;
  readonly subject: string | undefined;
  readonly messageStructure: string | undefined;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeInput>>;
}

/** Which endpoints to disable, as APNs/FCM feedback would: every endpoint of a token, or one by ARN. */
export type EndpointSelector = { readonly token: string } | { readonly endpointArn: string };

/**
 * The emulated SNS account: platform applications, endpoints, SMS opt-outs and what was
 * published. Plain synchronous code with no HTTP in it; every change calls `onChange`
 * so the owner can persist it.
 */
export class SnsState {
  private readonly applications = new Map<string, PlatformApplication>();
  private readonly endpoints = new Map<string, PlatformEndpoint>();
  private readonly optedOut = new Set<string>();
  private recorded: PublishedMessage[];

  constructor(
    private readonly region: string,
    snapshot: StateSnapshot,
    private readonly onChange: () => void,
  ) {
    for (const application of snapshot.applications) this.applications.set(application.arn, application);
    for (const endpoint of snapshot.endpoints) this.endpoints.set(endpoint.arn, endpoint);
    for (const phoneNumber of snapshot.optedOutPhoneNumbers) this.optedOut.add(phoneNumber);
    this.recorded = [...snapshot.published];
  }

  snapshot(): StateSnapshot {
    return {
      version: 1,
      applications: [...this.applications.values()],
      endpoints: [...this.endpoints.values()],
      optedOutPhoneNumbers: [...this.optedOut],
      published: this.recorded,
    };
  }

  // Platform applications

  /**
   * Creating an application that already exists (same platform and name) returns its ARN and
   * updates its attributes, so a local stack can declare its applications at every start.
   */
  createPlatformApplication(name: string, platform: string, attributes: Readonly<Record<string, string>>): string {
    if (!APPLICATION_NAME.test(name)) {
      throw new InvalidParameterError(
        `Invalid parameter: Name Reason: must be 1 to 256 characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-' or '.', not ${name}`,
      );
    }
    if (!isPlatform(platform)) throw new InvalidParameterError(`Invalid parameter: Platform Reason: ${platform} is not supported`);
    const arn = `arn:aws:sns:${this.region}:${LOCAL_ACCOUNT_ID}:app/${platform}/${name}`;
    const existing = this.applications.get(arn);
    const merged = withoutClearedAttributes({ ...existing?.attributes, ...attributes });
    assertPlatformCredentials(platform, merged);
    this.applications.set(arn, { arn, name, platform, attributes: merged });
    this.onChange();
    return arn;
  }

  /** Sets attributes in place (a credential rotation): the endpoints are untouched. An empty value clears one. */
  setPlatformApplicationAttributes(arn: string, attributes: Readonly<Record<string, string>>): void {
    const application = this.getPlatformApplication(arn);
    const merged = withoutClearedAttributes({ ...application.attributes, ...attributes });
    assertPlatformCredentials(application.platform, merged);
    this.applications.set(arn, { ...application, attributes: merged });
    this.onChange();
  }

  getPlatformApplication(arn: string): PlatformApplication {
    const application = this.applications.get(arn);
    if (!application) throw new NotFoundError('PlatformApplication does not exist');
    return application;
  }

  listPlatformApplications(): PlatformApplication[] {
    return [...this.applications.values()];
  }

  /** What `GetPlatformApplicationAttributes` shows: `Enabled`, never the credentials. */
  applicationAttributes(application: PlatformApplication): Record<string, string> {
    const visible = Object.entries(application.attributes).filter(([key]) => !SECRET_APPLICATION_ATTRIBUTES.has(key));
    return { Enabled: 'true', ...Object.fromEntries(visible) };
  }

  /** Idempotent, as in SNS; its endpoints go with it. */
  deletePlatformApplication(arn: string): void {
    if (!this.applications.delete(arn)) return;
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.applicationArn === arn) this.endpoints.delete(endpoint.arn);
    }
    this.onChange();
  }

  // Platform endpoints

  /**
   * SNS semantics: one endpoint per token and application. Asking again with the same token
   * and the same attributes returns the existing ARN; with different attributes (including a
   * disabled endpoint asked for as enabled) it fails and names the existing endpoint.
   */
  createPlatformEndpoint({ applicationArn, token, customUserData, attributes }: CreateEndpointRequest): string {
    const application = this.getPlatformApplication(applicationArn);
    assertEndpointAttributes(attributes);
    if (token === '') throw new InvalidParameterError('Invalid parameter: Token Reason: cannot be empty');
    // Attributes.CustomUserData wins over the CustomUserData parameter, as in SNS.
    const wanted = endpointAttributeMap({
      token,
      enabled: parseEnabled(attributes.Enabled ?? 'true'),
      customUserData: attributes.CustomUserData ?? customUserData,
    });

    const existing = this.findEndpoint(applicationArn, token);
    if (existing) {
      if (!sameAttributes(this.endpointAttributes(existing), wanted)) {
        throw new InvalidParameterError(
          `Invalid parameter: Token Reason: Endpoint ${existing.arn} already exists with the same Token, but different attributes.`,
        );
      }
      return existing.arn;
    }

    const arn = `arn:aws:sns:${this.region}:${LOCAL_ACCOUNT_ID}:endpoint/${application.platform}/${application.name}/${randomUUID()}`;
    this.endpoints.set(arn, {
      arn,
      applicationArn,
      platform: application.platform,
      token,
      enabled: wanted.Enabled === 'true',
      ...(wanted.CustomUserData === undefined ? {} : { customUserData: wanted.CustomUserData }),
    });
    this.onChange();
    return arn;
  }

  getEndpoint(arn: string): PlatformEndpoint {
    const endpoint = this.endpoints.get(arn);
    if (!endpoint) throw new NotFoundError('Endpoint does not exist');
    return endpoint;
  }

  endpointAttributes(endpoint: PlatformEndpoint): Record<string, string> {
    return endpointAttributeMap(endpoint);
  }

  listEndpoints(applicationArn: string): PlatformEndpoint[] {
    this.getPlatformApplication(applicationArn);
    return [...this.endpoints.values()].filter((endpoint) => endpoint.applicationArn === applicationArn);
  }

  /** Only the attributes given change; SNS does not re-enable an endpoint whose token changes. */
  setEndpointAttributes(arn: string, attributes: Readonly<Record<string, string>>): void {
    const endpoint = this.getEndpoint(arn);
    if (Object.keys(attributes).length === 0) throw new ValidationError('attributes');
    assertEndpointAttributes(attributes);
    if (attributes.Token === '') throw new InvalidParameterError('Invalid parameter: Token Reason: cannot be empty');
    const updated: PlatformEndpoint = {
      ...endpoint,
      ...(attributes.Token === undefined ? {} : { token: attributes.Token }),
      ...(attributes.Enabled === undefined ? {} : { enabled: parseEnabled(attributes.Enabled) }),
      ...(attributes.CustomUserData === undefined ? {} : { customUserData: attributes.CustomUserData }),
    };
    this.endpoints.set(arn, updated);
    this.onChange();
  }

  /** Idempotent, as in SNS. */
  deleteEndpoint(arn: string): void {
    if (this.endpoints.delete(arn)) this.onChange();
  }

  /** What APNs/FCM feedback does to an endpoint whose token is no longer valid. Returns the ARNs disabled. */
  disableEndpoints(selector: EndpointSelector): string[] {
    const matches =
      'endpointArn' in selector
        ? [this.getEndpoint(selector.endpointArn)]
        : [...this.endpoints.values()].filter((endpoint) => endpoint.token === selector.token);
    if (matches.length === 0) throw new NotFoundError(`No endpoint has the token ${'token' in selector ? selector.token : ''}`);
    for (const endpoint of matches) this.endpoints.set(endpoint.arn, { ...endpoint, enabled: false });
    this.onChange();
    return matches.map((endpoint) => endpoint.arn);
  }

  private findEndpoint(applicationArn: string, token: string): PlatformEndpoint | undefined {
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.applicationArn === applicationArn && endpoint.token === token) return endpoint;
    }
    return undefined;
  }

  // SMS opt-outs

  optOut(phoneNumber: string): void {
    assertPhoneNumberFormat(phoneNumber);
    this.optedOut.add(phoneNumber);
    this.onChange();
  }

  optIn(phoneNumber: string): void {
    assertPhoneNumberFormat(phoneNumber);
    if (this.optedOut.delete(phoneNumber)) this.onChange();
  }

  isOptedOut(phoneNumber: string): boolean {
    assertPhoneNumberFormat(phoneNumber);
    return this.optedOut.has(phoneNumber);
  }

  listOptedOut(): string[] {
    return [...this.optedOut];
  }

  // Publish

  /** Validates in the order SNS does, records the message and returns its MessageId. */
  publish(request: PublishRequest): string {
    const { message, subject, messageStructure, messageAttributes } = request;
    if (message === undefined) throw new ValidationError('message');
    if (message.trim() === '') throw new InvalidParameterError('Invalid parameter: Empty message');
    if (subject === '') throw new InvalidParameterError('Invalid parameter: Subject');
    const flatAttributes = flattenMessageAttributes(messageAttributes);
    assertPublishSize(message, messageAttributes);
    const entries = parseStructuredMessage(message, messageStructure);
    const target = publishTarget(request);

    const common = {
      id: randomUUID(),
      message,
      ...(messageStructure === undefined ? {} : { messageStructure }),
      ...(subject === undefined ? {} : { subject }),
      messageAttributes: flatAttributes,
      at: new Date().toISOString(),
    };
    if (target.kind === 'sms') {
      assertPublishablePhoneNumber(target.phoneNumber);
      assertSmsAttributes(flatAttributes);
      // SNS accepts a publish to an opted-out number and silently does not deliver it.
      const optedOut = this.optedOut.has(target.phoneNumber);
      return this.record({
        ...common,
        kind: 'sms',
        phoneNumber: target.phoneNumber,
        deliveredMessage: entries?.sms ?? entries?.default ?? message,
        delivered: !optedOut,
        optedOut,
      });
    }

    const endpoint = this.endpoints.get(target.endpointArn);
    if (!endpoint) throw new InvalidParameterError('Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified');
    const application = this.applications.get(endpoint.applicationArn);
    if (application?.attributes.Enabled === 'false') throw new PlatformApplicationDisabledError();
    if (!endpoint.enabled) throw new EndpointDisabledError();
    return this.record({
      ...common,
      kind: 'push',
      targetArn: endpoint.arn,
      platform: endpoint.platform,
      token: endpoint.token,
      ...(endpoint.customUserData === undefined ? {} : { customUserData: endpoint.customUserData }),
      deliveredMessage: pushPayloadFor(endpoint.platform, message, entries),
      delivered: true,
    });
  }

  published(): PublishedMessage[] {
    return this.recorded.map((message) => structuredClone(message));
  }

  clearPublished(): void {
    this.recorded = [];
    this.onChange();
  }

  private record(message: PublishedMessage): string {
    this.recorded.push(message);
    if (this.recorded.length > MAX_RECORDED_MESSAGES) this.recorded.splice(0, this.recorded.length - MAX_RECORDED_MESSAGES);
    this.onChange();
    return message.id;
  }
}

type PublishTarget = { readonly kind: 'sms'; readonly phoneNumber: string } | { readonly kind: 'push'; readonly endpointArn: string };

const publishTarget = ({ topicArn, targetArn, phoneNumber }: PublishRequest): PublishTarget => {
  const given = [topicArn, targetArn, phoneNumber].filter((value) => value !== undefined);
  if (given.length === 0) throw new InvalidParameterError('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  if (given.length > 1) {
    throw new InvalidParameterError('Invalid parameter: TopicArn Reason: only one of TopicArn, TargetArn or PhoneNumber may be given');
  }
  if (phoneNumber !== undefined) return { kind: 'sms', phoneNumber };
  const arn = targetArn ?? topicArn ?? '';
  // Topics live in fauxqs; this emulator only knows platform endpoints.
  if (!arn.includes(':endpoint/')) throw new NotFoundError('Topic does not exist');
  return { kind: 'push', endpointArn: arn };
};

const isPlatform = (value: string): value is Platform => (PLATFORMS as readonly string[]).includes(value);

const assertPhoneNumberFormat = (phoneNumber: string): void => {
  if (!isE164(phoneNumber)) throw new InvalidParameterError(`Invalid parameter: PhoneNumber Reason: ${phoneNumber} is not a valid E.164 number`);
};

const assertEndpointAttributes = (attributes: Readonly<Record<string, string>>): void => {
  for (const name of Object.keys(attributes)) {
    if (!ENDPOINT_ATTRIBUTES.has(name)) throw new InvalidParameterError(`Invalid parameter: Attributes Reason: Invalid attribute name: ${name}`);
  }
  if (attributes.Enabled !== undefined) parseEnabled(attributes.Enabled);
  if (attributes.CustomUserData !== undefined && Buffer.byteLength(attributes.CustomUserData, 'utf8') > 2048) {
    throw new InvalidParameterError(
      'Invalid parameter: Attributes Reason: Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding',
    );
  }
};

const parseEnabled = (value: string): boolean => {
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') {
    throw new InvalidParameterError(`Invalid parameter: Attributes Reason: Invalid value for attribute: Enabled: ${value} is not a boolean`);
  }
  return lower === 'true';
};

interface EndpointAttributeFields {
  readonly token: string;
  readonly enabled: boolean;
  readonly customUserData?: string | undefined;
}

/** Endpoint attributes as SNS reports them: `CustomUserData` only when it was set. */
const endpointAttributeMap = ({ token, enabled, customUserData }: EndpointAttributeFields): Record<string, string> => ({
  Enabled: String(enabled),
  Token: token,
  ...(customUserData === undefined ? {} : { CustomUserData: customUserData }),
});

const sameAttributes = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
};

/** SNS treats an attribute set to "" as unset (how an event topic is taken away again). */
const withoutClearedAttributes = (attributes: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== ''));
