/**
 * Registration of the `gbdt` detector (histogram gradient-boosted trees, supervised). See gbdt.ts and boost.ts.
 */
import { detectors, type DetectorFactory } from '../detector.js';
import { GBDT_TYPE, GbdtClassifier } from './gbdt.js';
import { gbdtSchema, type GbdtParams } from './options.js';

export { GbdtClassifier } from './gbdt.js';
export { gbdtSchema, type GbdtParams } from './options.js';

export const gbdtFactory: DetectorFactory<GbdtParams> = {
  type: GBDT_TYPE,
  description: 'histogram gradient-boosted trees (LightGBM / sklearn HistGradientBoosting style), supervised; score = 1 - P(benign)',
  schema: gbdtSchema,
  kind: 'supervised',
  create: (params) => new GbdtClassifier(params),
  fromJSON: (state) => GbdtClassifier.fromJSON(state),
};

detectors.register(gbdtFactory);
