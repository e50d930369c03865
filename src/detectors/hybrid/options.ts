import { z } from 'zod';
import { BACKEND_CHOICES } from '../../training/tf/runtime.js';
import { classWeightsShape, trainerParamsShape } from '../../training/tf/trainer.js';
import { mamlParamsShape } from '../../training/maml/index.js';

/**
 * Hybrid LSTM + attention + Transformer classifier (the MSc framework's Figure 9). The layer sizes are the paper's
 * and are not parameters: LSTM 64, attention, multi-head self-attention 4 heads x 16 (model dim 64), dense 128 relu,
 * dense 64, output sigmoid (binary) or softmax (multi-class).
 */
export const hybridSchema = z.strictObject({
  /**
   * Window length T: each row is classified from the T consecutive rows ending at it (rows before the first are
   * zeros). 1 = each flow alone (the paper). For T > 1 the caller orders rows by endpoint pair, then time.
   */
  timeSteps: z.number().int().min(1).max(256).default(1),
  /** 'standard': mini-batch Adam with early stopping (src/training/tf/trainer.ts). 'maml': first-order MAML (src/training/maml). */
  trainer: z.enum(['standard', 'maml']).default('standard'),
  ...trainerParamsShape,
  epochs: z.number().int().min(1).max(100000).default(20),
  batchSize: z.number().int().min(1).default(128),
  ...classWeightsShape,
  ...mamlParamsShape,
  /** TF.js backend: auto = tfjs-node if installed, else wasm, else cpu (PEREGRINE_TF_BACKEND overrides auto). */
  backend: z.enum(BACKEND_CHOICES).default('auto'),
});

export type HybridParams = z.infer<typeof hybridSchema>;
