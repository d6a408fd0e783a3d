/** Where a secret's current string comes from (Secrets Manager in AWS, an emulator locally). */
export interface SecretSource {
  /** The secret's current `SecretString`; throws when it cannot be read, or when `abortSignal` ends the read first. */
  readSecretString(secretId: string, options?: { readonly abortSignal?: AbortSignal }): Promise<string>;
}
