import { z } from 'zod';
import type { Matrix } from '../core/matrix.js';
import { base64ToF32, base64ToF64, base64ToI32, f32ToBase64, f64ToBase64, i32ToBase64 } from '../core/encode.js';
import { checkFitted, type Detector, type DetectorFactory, type DetectorState, type FitOptions } from './detector.js';
import { count, readState, requireRows } from './util.js';

/**
 * The shared body of the classical (non-neural) detectors: each one is a pure `fit(x) -> model` and
 * `score(model, x)` pair plus a declaration of which model fields are persisted and how. This class owns the
 * rest that every detector repeated (row and width checks, `{type, version, params, state}` persistence with
 * base64 typed arrays, validation of saved state, the registry factory), the way PyOD's BaseDetector does.
 *
 * A field is a typed array (`f64`, `f32`, `i32`, stored as base64 of its bytes) or any zod schema for plain JSON
 * values (numbers, enums, small objects). The persisted state is `{cols, ...fields}`.
 */
export type FieldSpec = 'f64' | 'f32' | 'i32' | z.ZodType;
export type StateSpec = Record<string, FieldSpec>;

type FieldValue<F> = F extends 'f64'
  ? Float64Array
  : F extends 'f32'
    ? Float32Array
    : F extends 'i32'
      ? Int32Array
      : F extends z.ZodType<infer T>
        ? T
        : never;

/** The persisted fields as they are in memory. */
export type Fields<S extends StateSpec> = { [K in keyof S]: FieldValue<S[K]> };

export interface TabularSpec<P, S extends StateSpec, M extends Fields<S>> {
  type: string;
  /** Bump when the persisted state changes shape; old files then fail with a clear "retrain" error. */
  version: number;
  description: string;
  schema: z.ZodType<P>;
  state: S;
  fit(x: Matrix, params: P, options: FitOptions): M;
  /** One score per row, higher = more abnormal. */
  score(model: M, x: Matrix): Float64Array;
  /** Rebuilds the in-memory model from the persisted fields (default: the fields are the model). */
  restore?(fields: Fields<S>, params: P): M;
  conformance?: DetectorFactory['conformance'];
}

const encoders = {
  f64: (v: unknown) => f64ToBase64(v as Float64Array),
  f32: (v: unknown) => f32ToBase64(v as Float32Array),
  i32: (v: unknown) => i32ToBase64(v as Int32Array),
};
const decoders = { f64: base64ToF64, f32: base64ToF32, i32: base64ToI32 };

function stateSchemaOf(spec: StateSpec): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = { cols: count };
  for (const [k, f] of Object.entries(spec)) shape[k] = typeof f === 'string' ? z.string() : f;
  return z.object(shape) as unknown as z.ZodType<Record<string, unknown>>;
}

export class TabularDetector<P extends Record<string, unknown>, S extends StateSpec, M extends Fields<S>> implements Detector {
  readonly type: string;
  protected model: M | null = null;
  protected cols = 0;

  constructor(
    protected readonly spec: TabularSpec<P, S, M>,
    readonly params: P,
  ) {
    this.type = spec.type;
  }

  fit(x: Matrix, options: FitOptions = {}): this {
    requireRows(this.type, x);
    this.cols = x.cols;
    this.model = this.spec.fit(x, this.params, options);
    return this;
  }

  score(x: Matrix): Float64Array {
    return this.spec.score(this.fittedModel(x), x);
  }

  /** The model after checking it is fitted and `x` has the fitted width. */
  protected fittedModel(x: Matrix): M {
    checkFitted(this.type, this.model !== null, this.cols, x);
    return this.model as M;
  }

  toJSON(): DetectorState {
    const m = this.model;
    let state: Record<string, unknown> | null = null;
    if (m) {
      state = { cols: this.cols };
      for (const [k, f] of Object.entries(this.spec.state)) {
        const v = (m as Record<string, unknown>)[k];
        state[k] = typeof f === 'string' ? encoders[f](v) : v;
      }
    }
    return { type: this.type, version: this.spec.version, params: { ...this.params }, state };
  }

  /** Loads persisted state (already validated by the factory). */
  restoreState(state: Record<string, unknown>): this {
    const fields: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(this.spec.state)) fields[k] = typeof f === 'string' ? decoders[f](state[k] as string) : state[k];
    this.cols = state.cols as number;
    const typed = fields as Fields<S>;
    this.model = this.spec.restore ? this.spec.restore(typed, this.params) : (typed as M);
    return this;
  }
}

/** The registry factory for a tabular detector; `make` builds the (sub)class instance for given params. */
export function tabularFactory<P extends Record<string, unknown>, S extends StateSpec, M extends Fields<S>>(
  spec: TabularSpec<P, S, M>,
  make: (params: P) => TabularDetector<P, S, M>,
): DetectorFactory<P> {
  const stateSchema = stateSchemaOf(spec.state);
  return {
    type: spec.type,
    description: spec.description,
    schema: spec.schema,
    ...(spec.conformance ? { conformance: spec.conformance } : {}),
    create: make,
    fromJSON: (saved) => {
      const { params, state } = readState(saved, spec.type, spec.version, spec.schema, stateSchema);
      return make(params).restoreState(state);
    },
  };
}
