/** SDK client settings for an emulator on loopback: it needs a region and (any) signed credentials. */
export const LOCAL_REGION = 'us-east-1';

export const localClientConfig = (endpoint: string) =>
  ({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }) as const;
