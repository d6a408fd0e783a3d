import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults } from './report.ts';
import { renderReport } from './report.ts';
import { judgeAll } from './targets.ts';

/**
 * `npx tsx bench/render.ts`: writes bench/REPORT.md again from bench/results.json, its targets judged
 * again, without measuring anything: for a change to the report's wording. Figures change only with
 * `npm run bench`.
 */
const folder = import.meta.dirname;
const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as BenchResults;
writeFileSync(join(folder, 'REPORT.md'), renderReport({ ...results, targets: judgeAll(results) }));
