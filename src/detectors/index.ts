/**
 * Every detector, registered: importing this module runs each folder's `detectors.register(...)`.
 * Adding a detector = its own folder + one import line here.
 */
import './autoencoder/index.js';
import './ecod/index.js';
import './gbdt/index.js';
import './hybrid/index.js';
import './hbos/index.js';
import './iforest/index.js';
import './loda/index.js';
import './ocsvm/index.js';
import './pca/index.js';
import './siamese/index.js';
import './subtab/index.js';
import './vae/index.js';

export { detectors, createDetector, detectorFromJSON } from './detector.js';
export type { Detector, DetectorFactory, DetectorState, FitOptions } from './detector.js';
