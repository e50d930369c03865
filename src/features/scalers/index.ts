import { quantileSorted } from '../../core/stats.js';

/**
 * Column scalers fitted on training rows only. They work on Float64 column-major training data and
 * transform row-major batches in place, so the hot path allocates nothing per row.
 */

export type ScalerKind = 'standard' | 'minmax' | 'robust' | 'none';
export const SCALER_KINDS: readonly ScalerKind[] = ['standard', 'minmax', 'robust', 'none'];

export interface ScalerState {
  kind: ScalerKind;
  /** x' = (x - offset[j]) * factor[j] */
  offset: number[];
  factor: number[];
}

/** Fits a scaler on columns (each a Float64Array of finite values). Zero spread -> factor 1 (column left centred). */
export function fitScaler(kind: ScalerKind, columns: readonly Float64Array[]): ScalerState {
  const offset: number[] = [];
  const factor: number[] = [];
  for (const col of columns) {
    let off = 0;
    let spread = 1;
    if (kind === 'standard') {
      let mean = 0;
      for (let i = 0; i < col.length; i++) mean += col[i];
      mean /= col.length || 1;
      let v = 0;
      for (let i = 0; i < col.length; i++) v += (col[i] - mean) ** 2;
      off = mean;
      spread = Math.sqrt(v / (col.length || 1));
    } else if (kind === 'minmax') {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < col.length; i++) {
        if (col[i] < lo) lo = col[i];
        if (col[i] > hi) hi = col[i];
      }
      off = col.length ? lo : 0;
      spread = col.length ? hi - lo : 1;
    } else if (kind === 'robust') {
      const sorted = Float64Array.from(col).sort();
      off = quantileSorted(sorted, 0.5);
      spread = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
    }
    offset.push(Number.isFinite(off) ? off : 0);
    factor.push(spread > 0 && Number.isFinite(spread) ? 1 / spread : 1);
  }
  return { kind, offset, factor };
}

/** Applies a fitted scaler to a row-major Float64 buffer (rows x offset.length), in place. */
export function applyScaler(s: ScalerState, data: Float64Array, rows: number): void {
  if (s.kind === 'none') return;
  const d = s.offset.length;
  const off = Float64Array.from(s.offset);
  const fac = Float64Array.from(s.factor);
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    for (let j = 0; j < d; j++) data[base + j] = (data[base + j] - off[j]) * fac[j];
  }
}
