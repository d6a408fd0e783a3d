import {
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  GetEndpointAttributesCommand,
  SetEndpointAttributesCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import {
  type EndpointStatus,
  PlatformApplicationUnavailableError,
  type PlatformEndpoints,
  TokenRejectedError,
} from './ports/platform-endpoints.ts';

/**
 * AWS's documented way to recover the endpoint when CreatePlatformEndpoint
 * refuses a token it already knows under other attributes (a disabled
 * endpoint, other CustomUserData): the existing ARN is only in the message.
 */
const EXISTING_ENDPOINT = /Endpoint (arn:aws[\w-]*:sns:\S+) already exists with the same [Tt]oken/;

/** SNS mobile-push endpoints through the real SDK (the local stack points it at the SNS emulator). */
export const snsPlatformEndpoints = (sns: SNSClient): PlatformEndpoints => {
  const createOrFind = async (applicationArn: string, token: string): Promise<string> => {
    try {
      const { EndpointArn } = await sns.send(
        new CreatePlatformEndpointCommand({ PlatformApplicationArn: applicationArn, Token: token }),
      );
      if (!EndpointArn) throw new Error('CreatePlatformEndpoint answered without an EndpointArn');
      return EndpointArn;
    } catch (error) {
      const existing = EXISTING_ENDPOINT.exec(messageOf(error))?.[1];
      if (existing) return existing;
      throw classifyCreateError(error, applicationArn, token);
    }
  };

  const attributesOf = async (endpointArn: string): Promise<Record<string, string> | undefined> => {
    try {
      const { Attributes } = await sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpointArn }));
      return Attributes ?? {};
    } catch (error) {
      if (nameOf(error) === 'NotFoundException') return undefined;
      throw error;
    }
  };

  return {
    async ensureEndpoint({ applicationArn, token }): Promise<EndpointStatus> {
      let endpointArn = await createOrFind(applicationArn, token);
      let attributes = await attributesOf(endpointArn);
      if (attributes === undefined) {
        // Deleted between the two calls (a concurrent unregister): the next create makes a fresh one.
        endpointArn = await createOrFind(applicationArn, token);
        attributes = (await attributesOf(endpointArn)) ?? { Token: token, Enabled: 'true' };
      }
      if (attributes.Token !== token) {
        // The token changed under this endpoint: the app's current token wins, and a new token deserves a new chance.
        await sns.send(
          new SetEndpointAttributesCommand({ EndpointArn: endpointArn, Attributes: { Token: token, Enabled: 'true' } }),
        );
        return { endpointArn, enabled: true };
      }
      // Same token: a disabled endpoint stays disabled (the provider said the token is dead).
      return { endpointArn, enabled: isEnabled(attributes) };
    },

    async describeEndpoint(endpointArn) {
      const attributes = await attributesOf(endpointArn);
      if (attributes === undefined) return undefined;
      return { endpointArn, enabled: isEnabled(attributes), ...(attributes.Token ? { token: attributes.Token } : {}) };
    },

    async deleteEndpoint(endpointArn) {
      try {
        await sns.send(new DeleteEndpointCommand({ EndpointArn: endpointArn }));
      } catch (error) {
        // DeleteEndpoint is idempotent in SNS; a NotFound here still means "gone".
        if (nameOf(error) !== 'NotFoundException') throw error;
      }
    },
  };
};

const isEnabled = (attributes: Record<string, string>): boolean => attributes.Enabled?.toLowerCase() === 'true';

const classifyCreateError = (error: unknown, applicationArn: string, token: string): unknown => {
  const name = nameOf(error);
  const message = messageOf(error);
  if (name === 'NotFoundException') return new PlatformApplicationUnavailableError(applicationArn, 'not_found', { cause: error });
  if (name === 'PlatformApplicationDisabledException') {
    return new PlatformApplicationUnavailableError(applicationArn, 'disabled', { cause: error });
  }
  if (name === 'InvalidParameterException' && /PlatformApplicationArn/.test(message)) {
    return new PlatformApplicationUnavailableError(applicationArn, 'not_found', { cause: error });
  }
  if (name === 'InvalidParameterException' && /\bToken\b/.test(message)) {
    // SNS's reason is useful to the caller ("must be hexadecimal"), but must never echo the token itself.
    const reason = message
      .replace(/^.*?Reason:\s*/, '')
      .split(token)
      .join('<token>')
      .slice(0, 300);
    return new TokenRejectedError(reason || 'invalid token');
  }
  return error;
};

const nameOf = (error: unknown): string => (error instanceof Error ? error.name : '');
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : '');
