import { createPrivateKey, type KeyObject } from 'node:crypto';
import * as z from 'zod';
import type { Platform } from '../shared/ports/directory.ts';

/**
 * The credentials of a push platform, as the relay keeps them in a Secrets
 * Manager secret, and the SNS platform application attributes they become.
 * Shared by the `push-credentials` command (which checks a file before it
 * leaves the machine) and the platform-application function (which checks the
 * secret again before SNS sees it). Pure: no I/O.
 *
 * - FCM: the Firebase service-account JSON exactly as Google issues it. SNS's
 *   token authentication for FCM HTTP v1 takes it whole as `PlatformCredential`,
 *   with no `PlatformPrincipal`.
 * - APNs, token authentication: `{keyId, teamId, bundleId, signingKey}`, where
 *   `signingKey` is the contents of `AuthKey_<keyId>.p8`. SNS wants the signing
 *   key as `PlatformCredential`, the key id as `PlatformPrincipal`, and the team
 *   and bundle ids as `ApplePlatformTeamID` and `ApplePlatformBundleID`. One key
 *   serves sandbox, production and VoIP.
 *
 * Error messages name the field and what it should be, never its value.
 */

/** A credential that cannot be used: `problems` lists each field with what is expected. */
export class PushCredentialError extends Error {
  override readonly name = 'PushCredentialError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

/** The kind of credential a platform takes. */
export type CredentialKind = 'fcm-service-account' | 'apns-token';

export const credentialKindOf = (platform: Platform): CredentialKind =>
  platform === 'fcm' ? 'fcm-service-account' : 'apns-token';

const privateKeyOf = (pem: string): KeyObject | undefined => {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
};

/** A PKCS#8 PEM block (`BEGIN PRIVATE KEY`), the form both Google and Apple issue. */
const PKCS8_PEM = /-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/;

/** Apple's key and team ids: ten upper-case letters and digits. */
export const APPLE_ID = /^[A-Z0-9]{10}$/;
/** A reverse-DNS bundle id such as `com.example.app`: two or more dot-separated labels of letters, digits and hyphens. */
export const BUNDLE_ID = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** Checks that a PEM is a PKCS#8 EC P-256 private key, as an APNs `.p8` is. */
export const isApnsSigningKey = (pem: string): boolean => {
  if (!PKCS8_PEM.test(pem)) return false;
  const key = privateKeyOf(pem);
  return key?.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
};

/** Checks that a PEM is a private key that parses (Google issues RSA keys in PKCS#8). */
export const isPemPrivateKey = (pem: string): boolean => PKCS8_PEM.test(pem) && privateKeyOf(pem) !== undefined;

const SERVICE_ACCOUNT_HINT = 'Firebase console › Project settings › Service accounts › Generate new private key';

/** The fields of a Firebase service-account key the relay checks; the others are kept as Google wrote them. */
export const ServiceAccountSchema = z.looseObject(
  {
    type: z.literal('service_account', {
      error: `"type" must be "service_account": use the key from ${SERVICE_ACCOUNT_HINT}`,
    }),
    project_id: z.string({ error: '"project_id" is missing: the file is not a service-account key' }).min(1, {
      error: '"project_id" is empty',
    }),
    client_email: z
      .string({ error: '"client_email" is missing: the file is not a service-account key' })
      .pipe(z.email({ error: '"client_email" must be the service account\'s email address' })),
    private_key: z
      .string({ error: '"private_key" is missing: the file is not a service-account key' })
      .refine(isPemPrivateKey, { error: '"private_key" must be a PEM private key in PKCS#8 form that parses, as Google issues it' }),
  },
  { error: `must be a JSON object: the service-account key from ${SERVICE_ACCOUNT_HINT}` },
);

/** APNs token authentication, as the relay stores it. */
export const ApnsTokenCredentialSchema = z.strictObject(
  {
    keyId: z.string({ error: '"keyId" is missing' }).regex(APPLE_ID, {
      error: '"keyId" must be the 10-character key id Apple shows beside the key (the XXXXXXXXXX of AuthKey_XXXXXXXXXX.p8)',
    }),
    teamId: z.string({ error: '"teamId" is missing' }).regex(APPLE_ID, {
      error: '"teamId" must be your 10-character Apple team id (developer portal › Membership)',
    }),
    bundleId: z.string({ error: '"bundleId" is missing' }).regex(BUNDLE_ID, {
      error: '"bundleId" must be the app\'s reverse-DNS bundle id, such as com.example.app',
    }),
    signingKey: z.string({ error: '"signingKey" is missing' }).refine(isApnsSigningKey, {
      error: '"signingKey" must be the contents of the .p8 file: a PKCS#8 EC P-256 private key',
    }),
  },
  { error: 'must be a JSON object {"keyId", "teamId", "bundleId", "signingKey"}' },
);
export type ApnsTokenCredential = z.infer<typeof ApnsTokenCredentialSchema>;

const problemsOf = (error: z.ZodError): string[] => error.issues.map((issue) => issue.message);

const parseJson = (text: string, what: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PushCredentialError([`${what} is not JSON`]);
  }
};

/** Checks a Firebase service-account key (the file's text) and answers it unchanged. */
export const checkServiceAccount = (text: string): string => {
  const result = ServiceAccountSchema.safeParse(parseJson(text, 'the service-account key'));
  if (!result.success) throw new PushCredentialError(problemsOf(result.error));
  return text;
};

/** Checks an APNs token credential. */
export const checkApnsCredential = (value: unknown): ApnsTokenCredential => {
  const result = ApnsTokenCredentialSchema.safeParse(value);
  if (!result.success) throw new PushCredentialError(problemsOf(result.error));
  return result.data;
};

/** The SNS attributes that hold a platform's credentials. */
export type CredentialAttributes = Readonly<Record<string, string>>;

/**
 * Turns the text of a platform's secret into the SNS platform application
 * attributes that carry it.
 *
 * @throws PushCredentialError naming every field that is wrong (never its value).
 */
export const credentialAttributes = (platform: Platform, secretText: string): CredentialAttributes => {
  if (credentialKindOf(platform) === 'fcm-service-account') {
    return { PlatformCredential: checkServiceAccount(secretText) };
  }
  const apns = checkApnsCredential(parseJson(secretText, 'the APNs credential'));
  return {
    PlatformCredential: apns.signingKey,
    PlatformPrincipal: apns.keyId,
    ApplePlatformTeamID: apns.teamId,
    ApplePlatformBundleID: apns.bundleId,
  };
};

/** What SNS reports (or what a library quotes) with anything that looks like key material removed. */
export const withoutKeyMaterial = (text: string): string =>
  text
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----\r?\n?|$)/g, '[key removed]')
    .replace(/[A-Za-z0-9+/=\\]{64,}/g, '[removed]');
