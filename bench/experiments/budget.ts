/**
 * Training budgets of `npm run experiments`: the default run (documented in docs/results.md, ~45 min on 2 shared
 * cores) and `--quick` (a few minutes, to check the wiring). Row caps are seeded stratified subsamples of the
 * training rows; the doc states the rows each model used.
 */
import type { SplitId } from './data.js';
import type { Task } from './cells.js';

export interface Budget {
  maxNeuralTrain: number;
  maxGbdtTrain: number;
  maxOneClassTrain: number;
  maxSiameseTrain: number;
  siameseTestRows: number;
  aeEpochs: number;
  hybrid: Record<string, unknown>;
  subtab: Record<string, unknown>;
  gbdt: Record<string, unknown>;
  siamese: Record<string, unknown>;
  shots: number[];
  oneClass: [string, string, Record<string, unknown>][];
  siameseOn: (dataset: string, split: SplitId, task: Task) => boolean;
  describe: Record<string, unknown>;
}

const ONE_CLASS: [string, string, Record<string, unknown>][] = [
  ['iforest', 'iforest', {}],
  ['autoencoder (64-32-10)', 'autoencoder', {}],
  ['pca Mahalanobis', 'pca', { weighted: true, major: true }],
  ['ecod', 'ecod', {}],
  ['loda', 'loda', {}],
];

export function budgetFor(quick: boolean): Budget {
  const b: Omit<Budget, 'describe'> = quick
    ? {
        maxNeuralTrain: 1500,
        maxGbdtTrain: 5000,
        maxOneClassTrain: 5000,
        maxSiameseTrain: 600,
        siameseTestRows: 150,
        aeEpochs: 5,
        hybrid: { epochs: 3, batchSize: 128, mamlIterations: 20, mamlFineTuneEpochs: 1 },
        subtab: { pretrainEpochs: 3, epochs: 5 },
        gbdt: { maxIter: 30 },
        siamese: { pairs: 32, epochs: 1, batchSize: 16, learningRate: 1e-4 },
        shots: [1, 5, 10, 20, 50],
        oneClass: ONE_CLASS.map(([m, t, p]) => [m, t, t === 'autoencoder' ? { ...p, epochs: 5 } : p]),
        siameseOn: (d, s, t) => d === 'k8s-flows' && s === 'random' && t === 'multi',
      }
    : {
        maxNeuralTrain: 20_000,
        maxGbdtTrain: 1_000_000,
        maxOneClassTrain: 1_000_000,
        maxSiameseTrain: 20_000,
        siameseTestRows: 1000,
        aeEpochs: 30,
        hybrid: { epochs: 20, batchSize: 128 },
        subtab: {},
        gbdt: {},
        siamese: { pairs: 4096, epochs: 1, batchSize: 32, learningRate: 3e-4 },
        shots: [1, 5, 10, 20, 50],
        oneClass: ONE_CLASS,
        siameseOn: (d, s, t) => (d === 'k8s-flows' && (t === 'multi' || s === 'capture')) || d === 'nsl-kdd',
      };
  const { siameseOn: _s, oneClass: _o, ...rest } = b;
  return { ...b, describe: rest };
}
