import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addRelayStack } from '../lib/relay-app.ts';
import { type IdleCostModel, idleCostModel } from './cost.ts';

const PROJECT_ROOT = join(import.meta.dirname, '..');

/**
 * The relay stack's template as `cdk synth` builds it from cdk.json's context
 * (plus `context`, as `-c` would add), without bundling: what the idle cost is
 * counted on.
 */
export const synthRelayTemplate = (context: Record<string, unknown> = {}): ReturnType<Template['toJSON']> => {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({
    context: { ...cdkJson.context, ...context, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  return Template.fromStack(addRelayStack(app)).toJSON();
};

/** The idle monthly cost of the default configuration (push feedback on, no alarm email, no custom domain). */
export const measureIdleCost = (): IdleCostModel => idleCostModel(synthRelayTemplate() as Parameters<typeof idleCostModel>[0]);

/** Report lines for bench/REPORT.md. */
export const renderIdleCost = (idle: IdleCostModel): string[] => [
  '## 7. Idle cost of a deployed stack',
  '',
  `The fixed monthly cost with no traffic at all, counted on the template \`cdk synth\` builds with the default configuration; ${idle.pricesAsOf}.`,
  '',
  '| Item | In the template | Basis | Per month |',
  '| --- | --- | --- | --- |',
  ...idle.lines.map((line) => `| ${line.item} | ${line.count} | ${line.basis} | $${line.monthly.toFixed(2)} |`),
  `| **Total** | | | **$${idle.totalMonthly.toFixed(2)}** |`,
  '',
  `From the second year, once each KMS key has rotated twice (each of the first two rotations adds $1 a month): $${idle.totalMonthlyAfterKeyRotations.toFixed(2)}. Nothing to pay while idle: ${Object.entries(
    idle.freeWhileIdle,
  )
    .map(([type, count]) => `${count} × ${type.replace(/^AWS::/, '')}`)
    .join(
      ', ',
    )} (on-demand tables, log groups and empty queues cost storage only, cents at most). The account's free tiers (1 million SQS requests, 10 alarms, 3 dashboards, 10 custom metrics) would cover much of it in an account that runs nothing else; they are not deducted.`,
  '',
];

/** For a quick look: `tsx bench/idle.ts` prints the model. */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(1, `${JSON.stringify(measureIdleCost(), null, 2)}\n`);
}
