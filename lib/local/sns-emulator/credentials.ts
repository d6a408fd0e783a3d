import { createPrivateKey } from 'node:crypto';
import { InvalidParameterError } from './errors.ts';

/**
 * The credential checks SNS makes when a platform application is created or
 * its attributes are set, so that a credential SNS would refuse is refused
 * locally too, with SNS's error (InvalidParameter, "Platform credentials are
 * invalid"). SNS also asks Google or Apple whether the key is live; locally a
 * well-formed key is enough.
 *
 * - GCM (FCM HTTP v1, token authentication): `PlatformCredential` is the
 *   service-account JSON (`type` service_account, `project_id`,
 *   `client_email`, a PEM `private_key`). FCM's legacy server keys stopped
 *   working in 2024, so anything else is refused.
 * - APNs, token authentication (`ApplePlatformTeamID` set): `PlatformCredential`
 *   is the .p8 signing key (PKCS#8 EC P-256), `PlatformPrincipal` the 10-character
 *   key id, plus `ApplePlatformTeamID` and `ApplePlatformBundleID`.
 * - APNs, certificate authentication: `PlatformPrincipal` a PEM certificate and
 *   `PlatformCredential` its PEM private key.
 */

const invalid = (reason = 'Platform credentials are invalid') => new InvalidParameterError(`Invalid parameter: Attributes Reason: ${reason}`);

const privateKey = (pem: string) => {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
};

const checkServiceAccount = (credential: string | undefined): void => {
  let account: unknown;
  try {
    account = JSON.parse(credential ?? '');
  } catch {
    throw invalid();
  }
  if (typeof account !== 'object' || account === null) throw invalid();
  const { type, project_id, client_email, private_key } = account as Record<string, unknown>;
  if (type !== 'service_account' || typeof project_id !== 'string' || typeof client_email !== 'string') throw invalid();
  if (typeof private_key !== 'string' || privateKey(private_key) === undefined) throw invalid();
};

const APPLE_ID = /^[A-Z0-9]{10}$/;

const checkApns = (attributes: Readonly<Record<string, string>>): void => {
  const credential = attributes.PlatformCredential ?? '';
  const principal = attributes.PlatformPrincipal ?? '';
  if (attributes.ApplePlatformTeamID !== undefined || attributes.ApplePlatformBundleID !== undefined) {
    const key = privateKey(credential);
    if (key?.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw invalid();
    if (!APPLE_ID.test(principal)) throw invalid('PlatformPrincipal must be the 10-character signing key id');
    if (!APPLE_ID.test(attributes.ApplePlatformTeamID ?? '')) throw invalid('ApplePlatformTeamID must be the 10-character team id');
    if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(attributes.ApplePlatformBundleID ?? '')) {
      throw invalid('ApplePlatformBundleID is not a bundle id');
    }
    return;
  }
  if (!principal.includes('-----BEGIN CERTIFICATE-----') || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(credential)) throw invalid();
};

/** Throws SNS's InvalidParameter when the application's credential attributes are not what its platform takes. */
export const assertPlatformCredentials = (platform: string, attributes: Readonly<Record<string, string>>): void => {
  if (platform === 'GCM') checkServiceAccount(attributes.PlatformCredential);
  else if (platform.startsWith('APNS')) checkApns(attributes);
};
