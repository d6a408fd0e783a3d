/** An SNS platform endpoint as the directory needs to know it. */
export interface EndpointStatus {
  readonly endpointArn: string;
  /** False when the provider (APNs, FCM) reported the token invalid: publishing to it fails with EndpointDisabled. */
  readonly enabled: boolean;
}

/** An endpoint as SNS describes it now. */
export interface EndpointDetails extends EndpointStatus {
  /** The token the endpoint publishes to (push feedback finds the device holding it). */
  readonly token?: string;
}

/**
 * The mobile-push endpoints behind registered devices (SNS in AWS and locally).
 * SNS keeps one endpoint per token and platform application, so an endpoint is
 * identified by (application, token).
 */
export interface PlatformEndpoints {
  /**
   * The endpoint of `token` on the application, created when there is none.
   * An endpoint found with another token (SNS may replace it with a canonical
   * one) gets `token` back and is enabled; one found disabled with the same
   * token stays disabled, because the provider said that token is dead.
   *
   * @throws TokenRejectedError when SNS refuses the token itself.
   * @throws PlatformApplicationUnavailableError when the application is missing or disabled.
   */
  ensureEndpoint(input: { readonly applicationArn: string; readonly token: string }): Promise<EndpointStatus>;
  /** The endpoint's current state, or undefined when it no longer exists. */
  describeEndpoint(endpointArn: string): Promise<EndpointDetails | undefined>;
  /** Deletes the endpoint; deleting one that is already gone is not an error. */
  deleteEndpoint(endpointArn: string): Promise<void>;
}

/** SNS refused the device token (for example, not a valid APNs token): the caller's mistake, not an outage. */
export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
  constructor(readonly reason: string) {
    super(`The push service refused the token: ${reason}`);
  }
}

/** The configured platform application does not exist or is disabled (expired credentials): the operator must fix it. */
export class PlatformApplicationUnavailableError extends Error {
  override readonly name = 'PlatformApplicationUnavailableError';
  constructor(
    readonly applicationArn: string,
    readonly reason: 'not_found' | 'disabled',
    options?: ErrorOptions,
  ) {
    super(`SNS platform application ${applicationArn} is ${reason === 'not_found' ? 'missing' : 'disabled'}`, options);
  }
}
