import { escapeXml, InvalidParameterError } from './errors.ts';
import { type QueryParams, xmlMembers, xmlStringMap, xmlText } from './query.ts';
import type { SnsState } from './state.ts';

/** Runs one action and returns the inner XML of its `<ActionResult>`, or undefined when the action has no output. */
type ActionHandler = (params: QueryParams, state: SnsState) => string | undefined;

/** SNS lists return at most 100 items per page. */
const PAGE_SIZE = 100;

const handlers: Record<string, ActionHandler> = {
  CreatePlatformApplication: (params, state) =>
    xmlText('PlatformApplicationArn', state.createPlatformApplication(params.required('Name'), params.required('Platform'), params.stringMap('Attributes'))),

  GetPlatformApplicationAttributes: (params, state) => {
    const application = state.getPlatformApplication(params.required('PlatformApplicationArn'));
    return xmlStringMap('Attributes', state.applicationAttributes(application));
  },

  ListPlatformApplications: (params, state) => {
    const { items, nextToken } = paginate(state.listPlatformApplications(), params.optional('NextToken'));
    const members = items.map(
      (application) => xmlText('PlatformApplicationArn', application.arn) + xmlStringMap('Attributes', state.applicationAttributes(application)),
    );
    return xmlMembers('PlatformApplications', members) + xmlText('NextToken', nextToken);
  },

  SetPlatformApplicationAttributes: (params, state) => {
    state.setPlatformApplicationAttributes(params.required('PlatformApplicationArn'), params.stringMap('Attributes'));
    return undefined;
  },

  DeletePlatformApplication: (params, state) => {
    state.deletePlatformApplication(params.required('PlatformApplicationArn'));
    return undefined;
  },

  CreatePlatformEndpoint: (params, state) =>
    xmlText(
      'EndpointArn',
      state.createPlatformEndpoint({
        applicationArn: params.required('PlatformApplicationArn'),
        token: params.required('Token'),
        customUserData: params.optional('CustomUserData'),
        attributes: params.stringMap('Attributes'),
      }),
    ),

  GetEndpointAttributes: (params, state) =>
    xmlStringMap('Attributes', state.endpointAttributes(state.getEndpoint(params.required('EndpointArn')))),

  SetEndpointAttributes: (params, state) => {
    state.setEndpointAttributes(params.required('EndpointArn'), params.stringMap('Attributes'));
    return undefined;
  },

  DeleteEndpoint: (params, state) => {
    state.deleteEndpoint(params.required('EndpointArn'));
    return undefined;
  },

  ListEndpointsByPlatformApplication: (params, state) => {
    const endpoints = state.listEndpoints(params.required('PlatformApplicationArn'));
    const { items, nextToken } = paginate(endpoints, params.optional('NextToken'));
    const members = items.map((endpoint) => xmlText('EndpointArn', endpoint.arn) + xmlStringMap('Attributes', state.endpointAttributes(endpoint)));
    return xmlMembers('Endpoints', members) + xmlText('NextToken', nextToken);
  },

  Publish: (params, state) =>
    xmlText(
      'MessageId',
      state.publish({
        message: params.optional('Message'),
        topicArn: params.optional('TopicArn'),
        targetArn: params.optional('TargetArn'),
        phoneNumber: params.optional('PhoneNumber'),
        subject: params.optional('Subject'),
        messageStructure: params.optional('MessageStructure'),
        messageAttributes: params.messageAttributes(),
      }),
    ),

  // The SMS opt-out actions use lower-camel member names on the wire (`phoneNumber`, `nextToken`).
  CheckIfPhoneNumberIsOptedOut: (params, state) => xmlText('isOptedOut', state.isOptedOut(params.required('phoneNumber'))),

  ListPhoneNumbersOptedOut: (params, state) => {
    const { items, nextToken } = paginate(state.listOptedOut(), params.optional('nextToken'));
    return xmlMembers('phoneNumbers', items.map(escapeXml)) + xmlText('nextToken', nextToken);
  },

  OptInPhoneNumber: (params, state) => {
    state.optIn(params.required('phoneNumber'));
    return '';
  },
};

export const isKnownAction = (action: string): boolean => Object.hasOwn(handlers, action);

export const runAction = (action: string, params: QueryParams, state: SnsState): string | undefined => {
  const handler = handlers[action];
  if (!handler) throw new Error(`runAction called with unknown action ${action}`);
  return handler(params, state);
};

/** Next tokens are opaque to callers; here they are the base64 offset of the next page. */
const paginate = <T>(all: readonly T[], token: string | undefined): { items: T[]; nextToken: string | undefined } => {
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > all.length) throw new InvalidParameterError('Invalid parameter: NextToken');
  const end = start + PAGE_SIZE;
  return {
    items: all.slice(start, end),
    nextToken: end < all.length ? Buffer.from(String(end), 'utf8').toString('base64') : undefined,
  };
};
