import { z } from 'zod';
import { BACKEND_CHOICES } from '../../training/tf/runtime.js';
import { trainerParamsShape } from '../../training/tf/trainer.js';

/**
 * VAE parameters. Defaults are the SRI paper's: encoder and decoder of three fully connected hidden layers of 16
 * units, latent dimension 10, Adam (lr 1e-4, beta1 0.9, beta2 0.999), 100 epochs, no early stopping (the threshold
 * statistics come from the last epoch), a min-max scaler fitted on the training rows and stored with the model.
 */
export const vaeSchema = z.strictObject({
  /** Encoder widths (the decoder mirrors them). */
  hidden: z.array(z.number().int().min(1)).min(1).default([16, 16, 16]),
  latentDim: z.number().int().min(1).default(10),
  activation: z.enum(['relu', 'tanh', 'sigmoid']).default('relu'),
  ...trainerParamsShape,
  epochs: z.number().int().min(1).max(100000).default(100),
  batchSize: z.number().int().min(1).default(32),
  learningRate: z.number().positive().default(1e-4),
  validationSplit: z.number().min(0).lt(1).default(0),
  patience: z.number().int().min(0).default(0),
  /** Weight of the KL term (1 = the standard evidence lower bound). */
  klWeight: z.number().min(0).default(1),
  /**
   * 'mse': reconstruction MSE of the decoded latent mean (deterministic). 'probability': negative log reconstruction
   * probability, Monte Carlo over `samples` latent draws (seeded per row), Gaussian per feature with the variance of
   * the training residuals.
   */
  score: z.enum(['mse', 'probability']).default('mse'),
  samples: z.number().int().min(1).default(10),
  /** Threshold r_mean + k * r_sd over the last epoch's training reconstruction errors (`threshold()`). */
  k: z.number().min(0).default(3),
  /** Seed of the Monte Carlo draws of `score: 'probability'` (combined with a hash of each row). */
  sampleSeed: z.number().int().default(0),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
});

export type VaeParams = z.infer<typeof vaeSchema>;
