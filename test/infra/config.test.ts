import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, LOG_RETENTION_DAYS, loadConfig, parseConfig } from '../../lib/config.ts';
import { cdkJsonContext, cleanupAssemblies } from './relay-app.ts';

afterAll(cleanupAssemblies);

describe('parseConfig', () => {
  it('fills in defaults that deploy', () => {
    expect(parseConfig({})).toEqual({ maxBodyBytes: 262_144, ingestMemoryMb: 1024, logRetentionDays: 30 });
    expect(parseConfig(undefined)).toEqual(parseConfig({}));
  });

  it('accepts a full configuration', () => {
    expect(parseConfig({ appId: 'abc123', maxBodyBytes: 65_536, ingestMemoryMb: 512, logRetentionDays: 365 })).toEqual({
      appId: 'abc123',
      maxBodyBytes: 65_536,
      ingestMemoryMb: 512,
      logRetentionDays: 365,
    });
  });

  it('accepts whole numbers written as strings, as `-c` hands them over', () => {
    expect(parseConfig({ maxBodyBytes: '4096', ingestMemoryMb: ' 2048 ', logRetentionDays: '7' })).toMatchObject({
      maxBodyBytes: 4096,
      ingestMemoryMb: 2048,
      logRetentionDays: 7,
    });
  });

  it('treats an empty appId as "any app"', () => {
    expect(parseConfig({ appId: '' }).appId).toBeUndefined();
  });

  it.each([
    ['maxBodyBytes', { maxBodyBytes: 0 }],
    ['maxBodyBytes', { maxBodyBytes: 10.5 }],
    ['maxBodyBytes', { maxBodyBytes: 2_000_000 }],
    ['maxBodyBytes', { maxBodyBytes: 'large' }],
    ['ingestMemoryMb', { ingestMemoryMb: 256 }],
    ['ingestMemoryMb', { ingestMemoryMb: 20_000 }],
    ['logRetentionDays', { logRetentionDays: 31 }],
    ['logRetentionDays', { logRetentionDays: 'forever' }],
    ['appId', { appId: 42 }],
    ['appId', { appId: 'my app' }],
  ])('names %s when it is wrong (%j)', (key, raw) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(new RegExp(`- ${key}: `));
  });

  it('says which values logRetentionDays may take', () => {
    expect(() => parseConfig({ logRetentionDays: 31 })).toThrow(LOG_RETENTION_DAYS.join(', '));
  });

  it('refuses unknown keys, listing the known ones (a typo must not silently fall back to a default)', () => {
    expect(() => parseConfig({ maxBodyByte: 1 })).toThrow(/maxBodyByte: unknown key \(known keys: appId, maxBodyBytes/);
  });

  it('lists every failing key at once', () => {
    try {
      parseConfig({ maxBodyBytes: 0, ingestMemoryMb: 1 });
      expect.unreachable('parseConfig accepted an invalid configuration');
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^maxBodyBytes: /),
        expect.stringMatching(/^ingestMemoryMb: /),
      ]);
      expect((error as Error).message).toMatch(/cdk\.json/);
    }
  });

  it('refuses a configuration that is not an object', () => {
    expect(() => parseConfig([1])).toThrow(/cometchat-relay: must be an object/);
  });
});

describe('loadConfig', () => {
  const appWith = (context: Record<string, unknown>) => new App({ context });

  it('reads the cometchat-relay context of cdk.json', () => {
    expect(loadConfig(appWith(cdkJsonContext()))).toEqual(parseConfig({}));
  });

  it('reads a JSON string, as `-c cometchat-relay={...}` gives it', () => {
    expect(loadConfig(appWith({ 'cometchat-relay': '{"appId":"abc"}' })).appId).toBe('abc');
    expect(() => loadConfig(appWith({ 'cometchat-relay': '{appId' }))).toThrow(/is not JSON/);
  });

  it('lets `cometchat-relay.<key>` override the object', () => {
    const config = loadConfig(appWith({ 'cometchat-relay': { maxBodyBytes: 4096 }, 'cometchat-relay.maxBodyBytes': '8192' }));

    expect(config.maxBodyBytes).toBe(8192);
  });

  it('validates a plain object too', () => {
    expect(loadConfig({ ingestMemoryMb: 2048 }).ingestMemoryMb).toBe(2048);
    expect(() => loadConfig({ ingestMemoryMb: 128 })).toThrow(/ingestMemoryMb/);
  });
});
