import { z } from 'zod';
import { BACKEND_CHOICES } from '../../training/tf/runtime.js';
import { trainerParamsShape } from '../../training/tf/trainer.js';

/**
 * Few-shot Siamese CNN parameters. The architecture is fixed (the few-shot report's); these set the training budget
 * and inference. Default budget: 1,024 balanced pairs, 1 epoch, batch 32 pairs, Adam 3e-4, about 40 s on one WASM
 * thread (~35 ms per training pair: 17.3 M parameters, two 32 x 32 images forward and backward). A paper-scale
 * budget, e.g. `--param pairs=20000 --param epochs=30`, takes hours on a CPU. Early stopping (patience 5) watches
 * 10 % of the pairs held out. 5 shots per class.
 */
export const siameseSchema = z.strictObject({
  /** Labelled support examples per class kept in the model and compared against at inference (1..50). */
  shots: z.number().int().min(1).max(50).default(5),
  /** Training pairs sampled per fit (half same-class, half different-class). */
  pairs: z.number().int().min(2).max(10_000_000).default(1024),
  /** Image side: rows are laid into size x size images (tiled / truncated, see src/features/imaging). */
  imageSize: z.number().int().min(8).max(128).default(32),
  ...trainerParamsShape,
  epochs: z.number().int().min(1).max(100000).default(1),
  batchSize: z.number().int().min(1).default(32),
  learningRate: z.number().positive().default(3e-4),
  /**
   * Conv filter gradients: `correlation` (default) computes them with a forward Conv2D, so training runs on WASM;
   * `native` uses TF.js's Conv2DBackpropFilter, which WASM lacks: training then falls back to the cpu backend (slow).
   */
  convGrad: z.enum(['correlation', 'native']).default('correlation'),
  /** TF.js backend: auto = tfjs-node if installed, else wasm, else cpu (PEREGRINE_TF_BACKEND overrides auto). */
  backend: z.enum(BACKEND_CHOICES).default('auto'),
});

export type SiameseParams = z.infer<typeof siameseSchema>;
