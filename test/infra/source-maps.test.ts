import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { RelayFunction } from '../../lib/constructs/relay-function.ts';
import { cdkJsonContext, cleanupAssemblies } from './relay-app.ts';

afterAll(cleanupAssemblies);

/**
 * A function built by RelayFunction for real (esbuild runs: this app does not
 * switch bundling off), then run by Node with the environment the template
 * gives it: the error it throws must name the TypeScript file and line, as it
 * would in CloudWatch Logs.
 */
describe('RelayFunction source maps', () => {
  it('bundles a source map and sets NODE_OPTIONS so that a thrown error names the .ts file and line', () => {
    const app = new App({ context: cdkJsonContext() });
    const stack = new Stack(app, 'SourceMaps');
    new RelayFunction(stack, 'Fails', {
      entry: 'test/fixtures/source-maps/handler.ts',
      description: 'fails on purpose',
      roleDescription: 'fails on purpose',
      memorySize: 128,
      timeout: Duration.seconds(3),
      environment: {},
    });
    const assembly = app.synth();
    const template = Template.fromStack(stack);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Runtime: string; Environment: { Variables: Record<string, string> } };
    }[];
    const bundle = readdirSync(assembly.directory)
      .map((entry) => join(assembly.directory, entry))
      .find((dir) => existsSync(join(dir, 'index.mjs')));
    if (!fn || !bundle) throw new Error('no bundled function in the assembly');

    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    const map = JSON.parse(readFileSync(join(bundle, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(map.sources.some((source) => source.endsWith('test/fixtures/source-maps/fail.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();

    const script =
      `import(${JSON.stringify(pathToFileURL(join(bundle, 'index.mjs')).href)})` +
      '.then((m) => m.handler({ reason: "mapped" })).catch((error) => process.stdout.write(error.stack));';
    const run = (variables: Record<string, string>) =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH ?? '', ...variables },
        encoding: 'utf8',
      });

    const mapped = run(fn.Properties.Environment.Variables);
    expect(mapped).toMatch(/^Error: source-map check: mapped/);
    expect(mapped).toMatch(/test\/fixtures\/source-maps\/fail\.ts:3:\d+/);
    expect(mapped).toMatch(/test\/fixtures\/source-maps\/handler\.ts:4:\d+/);
    // Without the function's NODE_OPTIONS the same bundle names only itself: the setting is what maps it.
    const { NODE_OPTIONS: _, ...withoutSourceMaps } = fn.Properties.Environment.Variables;
    expect(run(withoutSourceMaps)).not.toMatch(/\.ts:\d+/);
  }, 60_000);
});
