/** Shared fixtures for detector tests (not a test file itself: node --test only picks *.test.js). */
import { createMatrix, type Matrix } from '../core/matrix.js';
import { Rng } from '../core/rng.js';

/** rows x cols independent N(shift, sd^2) values, seeded. */
export function gaussian(rows: number, cols: number, seed: number, shift = 0, sd = 1): Matrix {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = shift + sd * rng.normal();
  return createMatrix(rows, cols, data);
}

/** Uniform [lo, hi) values, seeded. */
export function uniform(rows: number, cols: number, seed: number, lo = 0, hi = 1): Matrix {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(lo, hi);
  return createMatrix(rows, cols, data);
}

/** AUROC by ranks (Mann-Whitney U), ties get the average rank. labels: 1 = positive (anomaly). */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let sumPos = 0;
  let nPos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j < idx.length && scores[idx[j]] === scores[idx[i]]) j++;
    const rank = (i + j + 1) / 2; // 1-based average rank of the tie group
    for (let k = i; k < j; k++) {
      if (labels[idx[k]] === 1) {
        sumPos += rank;
        nPos++;
      }
    }
    i = j;
  }
  const nNeg = idx.length - nPos;
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
