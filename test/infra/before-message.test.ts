import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, AssetStaging, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config.ts';
import { BeforeMessageWebhook, POLICY_WARNING } from '../../lib/constructs/before-message-webhook.ts';
import { PROJECT_ROOT } from '../../lib/constructs/relay-function.ts';
import { loadPolicyForSynth } from '../../lib/policy-file.ts';
import {
  allow,
  buildRelayStack,
  cdkJsonContext,
  cleanupAssemblies,
  envOf,
  findOne,
  getAtt,
  grantsOf,
  sortGrants,
  testAppProps,
} from './relay-app.ts';

/** Policies written by the tests; removed afterwards with the bundles built from them. */
const scratch = mkdtempSync(join(tmpdir(), 'relay-policy-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  cleanupAssemblies();
});

const writePolicy = (name: string, content: unknown): string => {
  const path = join(scratch, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

const ROUTE_KEY = 'POST /cometchat/before-message';

/** The function behind the before-message route (found through the route, as API Gateway finds it). */
const beforeMessageFunction = (template: Template) => {
  const route = findOne(template, 'AWS::ApiGatewayV2::Route', (p) => p.RouteKey === ROUTE_KEY);
  const integrationId = JSON.stringify(route.properties.Target).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
  const integration = template.findResources('AWS::ApiGatewayV2::Integration')[integrationId] as {
    Properties: { IntegrationType: string; PayloadFormatVersion: string; IntegrationUri: { 'Fn::GetAtt': [string, string] } };
  };
  const id = integration.Properties.IntegrationUri['Fn::GetAtt'][0];
  const fn = template.findResources('AWS::Lambda::Function')[id] as { Properties: Record<string, unknown> };
  return { id, integration: integration.Properties, properties: fn.Properties };
};
const webhookSecretId = (template: Template) =>
  findOne(
    template,
    'AWS::SecretsManager::Secret',
    (p) => (p.GenerateSecretString as { GenerateStringKey?: string }).GenerateStringKey === 'password',
  ).id;

const { template: defaults } = buildRelayStack();
const { template: withPolicy } = buildRelayStack({ 'cometchat-relay': { policyFile: 'policy.example.json' } });

describe('before-message route', () => {
  it('routes POST /cometchat/before-message on the webhook API to its own function', () => {
    const { integration, id } = beforeMessageFunction(defaults);

    expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    expect(id).toMatch(/^BeforeMessageFunction/);
  });

  it('outputs the full URL to paste into CometChat', () => {
    defaults.hasOutput('BeforeMessageWebhookUrl', {
      Value: {
        'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('HttpApi'), 'ApiEndpoint'] }, '/cometchat/before-message']],
      },
    });
  });
});

describe('before-message function', () => {
  it('runs Node.js 24 on arm64 with the ingest memory and a 5 s timeout', () => {
    expect(beforeMessageFunction(defaults).properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 5,
    });
  });

  it('gets the webhook secret, the app id, the body limit and the Powertools settings, and no POLICY_FILE without a policy', () => {
    expect(envOf(beforeMessageFunction(defaults).properties)).toEqual({
      WEBHOOK_SECRET_ARN: { Ref: webhookSecretId(defaults) },
      COMETCHAT_APP_ID: '',
      MAX_BODY_BYTES: '262144',
      POWERTOOLS_SERVICE_NAME: 'cometchat-relay',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'CometChatRelay',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('is told POLICY_FILE=policy.json (in its bundle) when a policy is configured', () => {
    expect(envOf(beforeMessageFunction(withPolicy).properties)).toMatchObject({ POLICY_FILE: 'policy.json' });
  });

  it('follows ingestMemoryMb, appId and maxBodyBytes', () => {
    const { template } = buildRelayStack({
      'cometchat-relay': { ingestMemoryMb: 2048, appId: 'abc123', maxBodyBytes: 65_536 },
    });
    const { properties } = beforeMessageFunction(template);

    expect(properties.MemorySize).toBe(2048);
    expect(envOf(properties)).toMatchObject({ COMETCHAT_APP_ID: 'abc123', MAX_BODY_BYTES: '65536' });
  });

  it('may read the webhook secret and write its own logs, nothing else', () => {
    for (const template of [defaults, withPolicy]) {
      const { id, properties } = beforeMessageFunction(template);
      const logGroupId = (properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const { managedPolicyArns, grants, denies } = grantsOf(template, id);

      expect(managedPolicyArns).toEqual([]);
      expect(denies).toBe(0);
      expect(grants).toEqual(
        sortGrants([
          ...allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt(logGroupId)]),
          ...allow(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], [{ Ref: webhookSecretId(template) }]),
        ]),
      );
    }
  });
});

describe('policy validation at synth', () => {
  it('accepts the example policy, relative to the project root', () => {
    const { policy, absolutePath } = loadPolicyForSynth('policy.example.json');

    expect(absolutePath).toBe(join(PROJECT_ROOT, 'policy.example.json'));
    expect(policy.warnings).toEqual([]);
  });

  it('refuses to synthesize with a policy holding an unknown key or an invalid pattern, naming policyFile and every problem', () => {
    const path = writePolicy('broken.json', { version: 1, blockedWord: ['x'], blockedPatterns: ['ok', '(free'] });

    try {
      buildRelayStack({ 'cometchat-relay': { policyFile: path } });
      expect.unreachable('the stack accepted a broken policy');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^policyFile: .*broken\.json .*blockedPatterns\[1\]: is not a valid regular expression/),
        expect.stringMatching(/^policyFile: .*broken\.json .*blockedWord: is not a known key; did you mean "blockedWords"\?/),
      ]);
    }
  });

  it.each([
    ['not JSON', '{"version": 1,', /policyFile: .* \(document\): is not valid JSON/],
    ['of an unknown version', { version: 2 }, /policyFile: .* version: must be 1/],
    [
      'matching every message',
      { version: 1, blockedPatterns: ['x*'] },
      /policyFile: .* blockedPatterns\[0\]: matches the empty string/,
    ],
  ])('refuses a policy %s', (_name, content, message) => {
    const path = writePolicy(`policy-${Math.random().toString(36).slice(2)}.json`, content);

    expect(() => buildRelayStack({ 'cometchat-relay': { policyFile: path } })).toThrow(message);
  });

  it('refuses a policy file that does not exist, saying where it looked', () => {
    expect(() => buildRelayStack({ 'cometchat-relay': { policyFile: 'no-such-policy.json' } })).toThrow(
      new RegExp(`policyFile: cannot read no-such-policy\\.json \\(resolved to ${join(PROJECT_ROOT, 'no-such-policy.json')}`),
    );
  });

  it("shows the policy's warnings at synth, and none for a policy without risky rules", () => {
    const path = writePolicy('risky.json', { version: 1, blockedPatterns: ['(a+)+b'] });
    const warningsOf = (policyFile: string) => {
      const { stack } = buildRelayStack({ 'cometchat-relay': { policyFile } });
      return stack.beforeMessage.node.metadata
        .filter((entry) => entry.type === 'aws:cdk:warning')
        .map((entry) => String(entry.data));
    };

    expect(warningsOf(path)).toEqual([
      expect.stringMatching(
        new RegExp(`^policyFile .*risky\\.json: blockedPatterns\\[0\\]: a repeated group holds a repetition.*${POLICY_WARNING}`),
      ),
    ]);
    expect(warningsOf('policy.example.json')).toEqual([]);
  });
});

describe('policy bundling', () => {
  /** Bundles the before-message function for real (esbuild) and answers its bundle folder and asset hash. */
  const bundle = (policyFile: string | undefined) => {
    // Bundling on: this is the one place the bundle itself is looked at.
    const app = new App({
      ...testAppProps(cdkJsonContext()),
      context: cdkJsonContext(),
      outdir: mkdtempSync(join(scratch, 'cdk.out-')),
    });
    const stack = new Stack(app, 'bundle');
    const webhook = new BeforeMessageWebhook(stack, 'BeforeMessage', {
      httpApi: new HttpApi(stack, 'Api'),
      webhookSecret: new Secret(stack, 'Secret'),
      policy: policyFile === undefined ? undefined : loadPolicyForSynth(policyFile),
    });
    const staging = webhook.handlerFunction.node.findAll().find((c): c is AssetStaging => c instanceof AssetStaging);
    if (!staging) throw new Error('the function has no asset');
    return { folder: staging.absoluteStagedPath, hash: staging.assetHash };
  };

  it('copies the policy beside the handler, and deploys a new asset when the policy changes', () => {
    const path = writePolicy('deployed.json', { version: 1, blockedWords: ['first'] });
    const first = bundle(path);
    const edited = { version: 1, blockedWords: ['second'] };
    writePolicy('deployed.json', edited);
    const second = bundle(path);
    const none = bundle(undefined);

    expect(existsSync(join(first.folder, 'index.mjs'))).toBe(true);
    expect(JSON.parse(readFileSync(join(first.folder, 'policy.json'), 'utf8'))).toEqual({ version: 1, blockedWords: ['first'] });
    expect(JSON.parse(readFileSync(join(second.folder, 'policy.json'), 'utf8'))).toEqual(edited);
    expect(second.hash).not.toBe(first.hash);
    expect(existsSync(join(none.folder, 'policy.json'))).toBe(false);
    expect(new Set([first.hash, second.hash, none.hash]).size).toBe(3);
  });
});
