import { ingestFloorTargets } from './ingest-floor-report.ts';
import { judgeRateTargets } from './rates.ts';
import { type BenchResults, idleCostTarget, judgeTargets, type Target } from './report.ts';

/** Every row of the report's targets table, judged on a run's results (run.ts after a run, render.ts again later). */
export const judgeAll = (results: Omit<BenchResults, 'targets'>): Target[] => [
  ...judgeTargets(results.ingest, results.burst),
  ...(results.rates ? judgeRateTargets(results.rates) : []),
  ...(results.ingestFloor
    ? ingestFloorTargets(
        results.bundles,
        results.ingestFloor.coldStart,
        results.ingestFloor.ingestModes,
        results.ingestFloor.costScenarios,
        results.cost,
      )
    : []),
  ...(results.idleCost ? [idleCostTarget(results.idleCost)] : []),
];
