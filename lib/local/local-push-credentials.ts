import { generateKeyPairSync } from 'node:crypto';
import { credentialKindOf } from '../../functions/platform-applications/push-credentials.ts';
import type { Platform } from '../../functions/shared/ports/directory.ts';

/**
 * Stand-in push credentials for the local stack when none were stored with
 * `npm run push-credentials -- <platform> ... --local`: well-formed (the SNS
 * emulator checks shapes as SNS does) but made of throwaway keys generated in
 * this process, which no provider would accept. Generated once per process.
 */
let cached: { readonly serviceAccount: string; readonly apns: string } | undefined;

const generate = () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    serviceAccount: JSON.stringify({
      type: 'service_account',
      project_id: 'cometchat-relay-local',
      private_key_id: 'local',
      private_key: rsa,
      client_email: 'relay@cometchat-relay-local.iam.gserviceaccount.com',
      client_id: '0',
    }),
    apns: JSON.stringify({ keyId: 'LOCAL00KEY', teamId: 'LOCAL0TEAM', bundleId: 'com.example.local', signingKey: ec }),
  };
};

/** The text a platform's secret holds: a service-account JSON for fcm, an APNs token credential for the others. */
export const localPushCredential = (platform: Platform): string => {
  cached ??= generate();
  return credentialKindOf(platform) === 'fcm-service-account' ? cached.serviceAccount : cached.apns;
};
