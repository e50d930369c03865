/** SMOTE oversampling of minority classes for supervised training sets (see smote.ts). */
export { smote, nearestNeighbours, type SmoteOptions, type SmoteResult } from './smote.js';
