/**
 * Fitting a model whose parameters are one flat vector: resolve the backend, copy the seeded initial values, train
 * on that backend. Models keep their weights as a Float32Array
 * between calls (no long-lived tensors, so a detector that is dropped leaks nothing).
 */
import { resolveBackend, withBackend, type BackendChoice, type ResolvedBackend } from './runtime.js';
import { train, type TrainData, type TrainableModel, type TrainerOptions, type TrainResult } from './trainer.js';
import { fitInfoOf, type FitInfo } from './persist.js';

export interface FlatFit {
  weights: Float32Array;
  result: TrainResult;
  backend: ResolvedBackend;
  fitInfo: FitInfo;
}

/**
 * `makeModel` receives the parameter vector (initialised from `init`, updated in place by the trainer) and the
 * resolved backend. A model with a `kernels` label (kernels of its own, e.g. the SIMD dense path) has it added to the
 * fit report's backend reason.
 */
export function fitFlat(
  backendChoice: BackendChoice,
  init: Float32Array,
  makeModel: (params: Float32Array, backend: ResolvedBackend) => TrainableModel & { readonly kernels?: string },
  data: TrainData,
  options: TrainerOptions,
  kernels: readonly string[] = [],
): FlatFit {
  const backend = resolveBackend(backendChoice, kernels);
  return withBackend(backend.backend, (tf) => {
    const weights = init.slice();
    const model = makeModel(weights, backend);
    const result = train(tf, model, data, options);
    const used = model.kernels ? { ...backend, reason: `${backend.reason}; dense kernels: ${model.kernels}` } : backend;
    return { weights, result, backend: used, fitInfo: fitInfoOf(result, used, options.epochs) };
  });
}
