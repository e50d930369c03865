/**
 * What neural models persist besides their weights: the fit report (backend used, epochs, history for the training
 * curve) and the dense topology. Weights travel as base64 Float32 (src/core/encode.ts), so a JSON round trip is
 * exact and scoring after load is bit-identical on the same backend.
 */
import { z } from 'zod';
import { PeregrineError } from '../../core/errors.js';
import { ACTIVATIONS, type Topology } from './dense.js';
import type { ResolvedBackend } from './runtime.js';
import type { TrainResult } from './trainer.js';

export const historySchema = z.object({
  loss: z.array(z.number()),
  valLoss: z.array(z.number()),
  accuracy: z.array(z.number()),
  valAccuracy: z.array(z.number()),
});

export const fitInfoSchema = z.object({
  /** The TF.js backend the model was trained on, and why it was chosen. */
  backend: z.enum(['tensorflow', 'wasm', 'cpu']),
  backendReason: z.string(),
  epochs: z.number().int(),
  epochsRun: z.number().int(),
  bestEpoch: z.number().int(),
  stoppedEarly: z.boolean(),
  trainRows: z.number().int(),
  validationRows: z.number().int(),
  seconds: z.number(),
  rowsPerSecond: z.number(),
  history: historySchema,
});
export type FitInfo = z.infer<typeof fitInfoSchema>;

export function fitInfoOf(r: TrainResult, backend: ResolvedBackend, epochs: number): FitInfo {
  return {
    backend: backend.backend,
    backendReason: backend.reason,
    epochs,
    epochsRun: r.epochsRun,
    bestEpoch: r.bestEpoch,
    stoppedEarly: r.stoppedEarly,
    trainRows: r.trainRows,
    validationRows: r.validationRows,
    seconds: r.seconds,
    rowsPerSecond: r.rowsPerSecond,
    history: r.history,
  };
}

export const topologySchema = z.object({
  layers: z.array(
    z.object({ name: z.string(), inputs: z.number().int().min(1), units: z.number().int().min(1), activation: z.enum(ACTIVATIONS) }),
  ),
  size: z.number().int().min(0),
});

/** Checks a loaded topology against its weights and the expected input width. */
export function checkTopology(type: string, t: Topology, weights: Float32Array, inputDim: number): void {
  let size = 0;
  for (const l of t.layers) size += l.inputs * l.units + l.units;
  const ok = size === t.size && weights.length === t.size && t.layers.length > 0 && t.layers[0].inputs === inputDim;
  if (!ok) {
    throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `${type} model is malformed: weights (${weights.length}) do not match the topology (${size})`, {
      hint: 'retrain the model or restore the original file',
    });
  }
}
