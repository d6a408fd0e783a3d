/** Where a secret's current string comes from (Secrets Manager in AWS, an emulator locally). */
export interface SecretSource {
  /** The secret's current `SecretString`; throws when it cannot be read. */
  readSecretString(secretId: string): Promise<string>;
}
