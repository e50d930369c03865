import { PeregrineError } from '../core/errors.js';
import { thresholders, type Thresholder, type ThresholdResult } from './thresholder.js';
// Each import registers one method; adding a method is one folder and one line here.
import './contamination/index.js';
import './meanstd/index.js';
import './pot/index.js';
import './budget/index.js';

export { thresholders };
export type { Thresholder, ThresholdResult, ThresholderFactory } from './thresholder.js';

/** Validates params against the method's schema (every field defaulted); errors name the field. */
export function createThresholder(type: string, params: Record<string, unknown> = {}): Thresholder {
  const factory = thresholders.get(type);
  const parsed = factory.schema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Unknown keys come back with an empty path and the keys listed: name them, a typo is the usual cause.
    const keys = issue && 'keys' in issue && Array.isArray(issue.keys) ? (issue.keys as string[]).join(', ') : '';
    const field = issue?.path.length ? issue.path.join('.') : keys;
    const fields = Object.keys((factory.schema.safeParse({}).data as Record<string, unknown> | undefined) ?? {});
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `${field ? `${field}: ` : ''}${issue?.message ?? 'invalid parameter'}`, {
      where: `${type}.${field}`,
      hint: fields.length ? `${type} takes: ${fields.join(', ')}` : undefined,
    });
  }
  return factory.create(parsed.data);
}

/** Fits the named threshold method on the training (normal) scores. */
export function fitThreshold(type: string, params: Record<string, unknown>, trainingScores: Float64Array): ThresholdResult {
  return createThresholder(type, params).fit(trainingScores);
}
