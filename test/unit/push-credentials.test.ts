import { describe, expect, it } from 'vitest';
import { credentialAttributes, PushCredentialError, withoutKeyMaterial } from '../../functions/platform-applications/push-credentials.ts';
import { apnsCredential, pkcs8Pem, serviceAccountJson } from '../fixtures/push-credentials.ts';

describe('credentialAttributes', () => {
  it('hands SNS the service-account JSON whole as PlatformCredential, with no PlatformPrincipal (FCM token authentication)', () => {
    const account = serviceAccountJson();
    expect(credentialAttributes('fcm', account)).toEqual({ PlatformCredential: account });
  });

  it.each(['apns', 'apns_sandbox', 'apns_voip', 'apns_voip_sandbox'] as const)(
    'maps the APNs token credential to the attributes SNS documents (%s)',
    (platform) => {
      const credential = apnsCredential();
      expect(credentialAttributes(platform, JSON.stringify(credential))).toEqual({
        PlatformCredential: credential.signingKey,
        PlatformPrincipal: 'ABC123DEFG',
        ApplePlatformTeamID: 'TEAM123456',
        ApplePlatformBundleID: 'com.example.app',
      });
    },
  );

  it('refuses an APNs credential for fcm and a service account for apns, naming fields and never values', () => {
    const key = pkcs8Pem('p256');
    expect(() => credentialAttributes('fcm', JSON.stringify(apnsCredential({ signingKey: key })))).toThrow(PushCredentialError);
    const failure = (() => {
      try {
        credentialAttributes('apns', serviceAccountJson());
      } catch (error) {
        return error as Error;
      }
    })();
    expect(failure?.message).toMatch(/"keyId" is missing/);
    expect(failure?.message).not.toContain('PRIVATE KEY');
  });
});

describe('withoutKeyMaterial', () => {
  it('removes PEM blocks and long base64 runs from a message SNS or a library might quote', () => {
    const key = pkcs8Pem('p256');
    const text = withoutKeyMaterial(`Invalid parameter: ${key} and ${'A'.repeat(80)} end`);
    expect(text).toBe('Invalid parameter: [key removed] and [removed] end');
  });
});
