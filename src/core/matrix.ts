/**
 * Dense row-major matrices on typed arrays: the unit that crosses the hot path (batches, not rows).
 */

export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** A matrix whose columns carry names (the output of the feature pipeline). */
export interface FeatureBatch extends Matrix {
  readonly names: readonly string[];
}

export function createMatrix(rows: number, cols: number, data?: Float32Array): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`bad matrix shape ${rows}x${cols}`);
  }
  const d = data ?? new Float32Array(rows * cols);
  if (d.length !== rows * cols) throw new RangeError(`matrix data length ${d.length} != ${rows}x${cols}`);
  return { data: d, rows, cols };
}

/** A view (no copy) of row i. */
export function rowView(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Copies the given rows into a new matrix. */
export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Float32Array(indices.length * m.cols);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    out.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), k * m.cols);
  }
  return { data: out, rows: indices.length, cols: m.cols };
}

/** Stacks matrices with the same column count. */
export function vstack(parts: readonly Matrix[], cols?: number): Matrix {
  const c = cols ?? parts[0]?.cols ?? 0;
  let rows = 0;
  for (const p of parts) {
    if (p.cols !== c) throw new RangeError(`vstack: ${p.cols} columns, expected ${c}`);
    rows += p.rows;
  }
  const out = new Float32Array(rows * c);
  let off = 0;
  for (const p of parts) {
    out.set(p.data, off);
    off += p.data.length;
  }
  return { data: out, rows, cols: c };
}

/** Builds a matrix from nested arrays (tests and small inputs). */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new RangeError(`row ${i} has ${r.length} values, expected ${cols}`);
    out.set(r, i * cols);
  });
  return { data: out, rows: rows.length, cols };
}
