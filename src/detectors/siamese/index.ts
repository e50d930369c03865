import { detectors, type DetectorFactory } from '../detector.js';
import { SiameseDetector, SIAMESE_TYPE } from './siamese.js';
import { siameseSchema, type SiameseParams } from './options.js';

export { SiameseDetector, samplePairs } from './siamese.js';
export { siameseSchema, type SiameseParams } from './options.js';

/**
 * The few-shot Siamese CNN. Its inference is slow on one WASM thread (~50-100 rows/s: a 17M-parameter embedding per
 * row and per support example), so the CLI suite's "every supervised detector" check leaves it out; its own tests
 * and the conformance suite (with the small `conformance` params below, ~60 s) cover it.
 */
export const siameseFactory: DetectorFactory<SiameseParams> = {
  type: SIAMESE_TYPE,
  description: 'Supervised few-shot Siamese CNN (TF.js) on 32x32 flow images: twin conv net + L1 head, rows classed against k support examples per class',
  schema: siameseSchema,
  kind: 'supervised',
  create: (params) => new SiameseDetector(params),
  fromJSON: (state) => SiameseDetector.fromJSON(state),
  // Same architecture, a tiny training budget: the conformance suite fits it five times.
  conformance: { maxTrainRows: 200, params: { pairs: 8, epochs: 1, batchSize: 8, shots: 3, validationSplit: 0 } },
};

detectors.register(siameseFactory);
