/** First-order MAML (meta-training over few-shot tasks sampled per class) for TF.js models. See fomaml.ts. */
export { fomaml, mamlParamsShape, type MamlData, type MamlLoss, type MamlOptions, type MamlResult } from './fomaml.js';
export { rowsByClass, sampleTask, type Task, type TaskSet } from './tasks.js';
