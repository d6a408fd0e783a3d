import type { BasicCredentials } from '../basic-auth.ts';

/** Where the accepted webhook credentials come from (Secrets Manager in AWS, the environment locally). */
export interface CredentialStore {
  /** The credential pairs accepted right now (one, or two during a rotation). */
  accepted(options?: { readonly refresh?: boolean }): Promise<readonly BasicCredentials[]>;
}

export const staticCredentialStore = (pairs: readonly BasicCredentials[]): CredentialStore => {
  if (pairs.length === 0) throw new Error('staticCredentialStore needs at least one credential pair');
  return { accepted: async () => pairs };
};
