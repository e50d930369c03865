import { z } from 'zod';
import { BACKEND_CHOICES } from '../../training/tf/runtime.js';
import { classWeightsShape, trainerParamsShape } from '../../training/tf/trainer.js';

/**
 * SubTab parameters (Ucar et al., NeurIPS 2021). Defaults follow the paper where it is specific: 4 subsets, 75 %
 * overlap, 15 % swap-noise masking, reconstruction of the full row from each subset, mean aggregation of the subset
 * embeddings. The trainer options (batchSize, learningRate, validationSplit, patience, ...) apply to both stages;
 * `pretrainEpochs` bounds the self-supervised stage, `epochs` the evaluation head.
 */
export const subtabSchema = z.strictObject({
  /** Number of feature subsets K (contiguous column blocks of equal width). */
  nSubsets: z.number().int().min(1).max(64).default(4),
  /** Overlap between neighbouring subsets, as a fraction of the block width d / K (the paper's 0.75). */
  overlap: z.number().min(0).max(1).default(0.75),
  /** Fraction of a subset's cells replaced by the same column's value from another row of the batch (swap noise). */
  maskRatio: z.number().min(0).lt(1).default(0.15),
  /** Shared subset-encoder hidden widths (before the embedding layer). */
  encoderHidden: z.array(z.number().int().min(1)).default([64]),
  /** Embedding width (output of the shared encoder). */
  embeddingDim: z.number().int().min(1).default(32),
  /** Decoder hidden widths (embedding -> ... -> full row, linear output). */
  decoderHidden: z.array(z.number().int().min(1)).default([]),
  activation: z.enum(['relu', 'tanh', 'sigmoid']).default('relu'),
  /** Evaluation-head MLP hidden widths (softmax output over the classes). */
  headHidden: z.array(z.number().int().min(1)).default([64, 32]),
  /** Epochs of the self-supervised reconstruction stage. */
  pretrainEpochs: z.number().int().min(0).max(100000).default(20),
  ...trainerParamsShape,
  epochs: z.number().int().min(1).max(100000).default(30),
  ...classWeightsShape,
  /** TF.js backend: auto = tfjs-node if installed, else wasm, else cpu (PEREGRINE_TF_BACKEND overrides auto). */
  backend: z.enum(BACKEND_CHOICES).default('auto'),
});

export type SubtabParams = z.infer<typeof subtabSchema>;
