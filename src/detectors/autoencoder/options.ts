import { z } from 'zod';
import { BACKEND_CHOICES } from '../../training/tf/runtime.js';
import { trainerParamsShape } from '../../training/tf/trainer.js';

/**
 * Dense autoencoder parameters. Defaults follow ../shared/peers/torch_peer.py (hidden 64,32,10, relu, linear output,
 * MSE, Adam 1e-3, batch 256) plus early stopping on a seeded 10 % validation split.
 */
export const autoencoderSchema = z.strictObject({
  /** Encoder widths; the last is the bottleneck; the decoder mirrors them. */
  hidden: z.array(z.number().int().min(1)).min(1).default([64, 32, 10]),
  activation: z.enum(['relu', 'tanh', 'sigmoid']).default('relu'),
  /** Activation of the bottleneck layer (torch_peer.py: relu, like every hidden layer). */
  bottleneckActivation: z.enum(['relu', 'tanh', 'sigmoid', 'linear']).default('relu'),
  ...trainerParamsShape,
  epochs: z.number().int().min(1).max(100000).default(30),
  /** TF.js backend: auto = tfjs-node if installed, else wasm, else cpu (PEREGRINE_TF_BACKEND overrides auto). */
  backend: z.enum(BACKEND_CHOICES).default('auto'),
});

export type AutoencoderParams = z.infer<typeof autoencoderSchema>;
