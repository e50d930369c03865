import { z } from 'zod';
import { quantileSorted } from '../../core/stats.js';
import { makeResult, prepareScores } from '../common.js';
import { fitPotTail, potQuantile, potTailProbability, tailParams } from '../pot/index.js';
import { thresholders, type Thresholder, type ThresholderFactory } from '../thresholder.js';

/**
 * Alert budget: operators think in alerts per day, not quantiles. A budget of A alerts/day on a stream of E
 * events/s implies a false-positive rate FPR = A / (E * 86400); the threshold is the (1 - FPR) quantile of the
 * training scores. Small budgets on fast streams imply rates below 1/n, which n training rows cannot resolve;
 * there the POT tail fit extrapolates, and the result says so.
 */

const SECONDS_PER_DAY = 86400;

export const budgetSchema = z
  .strictObject({
    /** Tolerated false alerts per day. */
    alertsPerDay: z.number().positive().finite().default(10),
    /** Rate of scored events (rows) per second in production. */
    eventsPerSecond: z.number().positive().finite().default(1),
    /** Initial-threshold quantile for the POT extrapolation. */
    level: z.number().gt(0).lt(1).default(0.98),
    /** Fewest peaks for the POT fit. */
    minPeaks: z.number().int().min(3).default(10),
  })
  .refine((p) => p.alertsPerDay < p.eventsPerSecond * SECONDS_PER_DAY, {
    message: 'alertsPerDay must be smaller than the events per day (eventsPerSecond * 86400)',
    path: ['alertsPerDay'],
  });
export type BudgetParams = z.infer<typeof budgetSchema>;

export function impliedFalsePositiveRate(alertsPerDay: number, eventsPerSecond: number): number {
  return alertsPerDay / (eventsPerSecond * SECONDS_PER_DAY);
}

export function budgetThresholder(params: BudgetParams): Thresholder {
  return {
    method: 'budget',
    fit(trainingScores) {
      const prepared = prepareScores(trainingScores, 'budget');
      const { sorted } = prepared;
      const n = sorted.length;
      const fpr = impliedFalsePositiveRate(params.alertsPerDay, params.eventsPerSecond);
      const eventsPerDay = params.eventsPerSecond * SECONDS_PER_DAY;
      const base = { alertsPerDay: params.alertsPerDay, eventsPerSecond: params.eventsPerSecond };
      const notes: string[] = [];

      if (fpr >= 1 / n) {
        const value = quantileSorted(sorted, 1 - fpr);
        const result = makeResult('budget', value, { ...base, source: 'empirical' }, prepared, { impliedFalsePositiveRate: fpr });
        // What the chosen value actually costs on the training normals (ties and interpolation move it off fpr).
        result.expectedAlertsPerDay = result.trainingAlertRate * eventsPerDay;
        return result;
      }

      notes.push(
        `the budget implies a false-positive rate of ${fpr.toExponential(3)}, below 1/${n} training rows: ` +
          'the training set is too small to resolve that rate empirically, so the threshold is extrapolated ' +
          'with a peaks-over-threshold (GPD) tail fit',
      );
      const tail = fitPotTail(sorted, params.level, params.minPeaks);
      const pot = { ...base, level: params.level, minPeaks: params.minPeaks, ...tailParams(tail) };
      if (!tail.fit) {
        notes.push(`only ${tail.peaks} scores above the POT initial threshold (need ${params.minPeaks}); used the training maximum`);
        const value = sorted[n - 1];
        return makeResult('budget', value, { ...pot, source: 'max' }, prepared, {
          notes,
          impliedFalsePositiveRate: fpr,
          // Unknown beyond "fewer than one per n rows": report the bound rather than a made-up number.
          expectedAlertsPerDay: eventsPerDay / n,
        });
      }
      const value = potQuantile(tail, fpr);
      return makeResult('budget', value, { ...pot, source: 'pot' }, prepared, {
        notes,
        impliedFalsePositiveRate: fpr,
        expectedAlertsPerDay: potTailProbability(tail, value) * eventsPerDay,
      });
    },
  };
}

export const budgetFactory: ThresholderFactory<BudgetParams> = {
  type: 'budget',
  description: 'false-alert budget: alertsPerDay at eventsPerSecond implies a false-positive rate; POT beyond 1/n',
  schema: budgetSchema,
  create: budgetThresholder,
};

thresholders.register(budgetFactory);
