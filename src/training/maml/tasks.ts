/**
 * Few-shot task sampling for MAML: a task draws N classes and K support + Q query rows of each (seeded). Benign
 * (class 0) is in every task when the data has it: the detector's score is 1 - P(benign), so every task teaches the
 * benign-vs-attack boundary, and N-way tasks add N - 1 attack classes drawn at random. Labels keep their global
 * index (no per-task relabelling): the model's output head predicts a fixed set of classes, not episode-local ones.
 */
import { Rng } from '../../core/rng.js';

export interface TaskSet {
  /** Row-major rows x cols. */
  x: Float32Array;
  labels: Int32Array;
  rows: number;
}

export interface Task {
  classes: number[];
  support: TaskSet;
  query: TaskSet;
}

/** Row indices of each class (index = class). */
export function rowsByClass(labels: Int32Array, classes: number): Uint32Array[] {
  const lists: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) lists[labels[i]].push(i);
  return lists.map((l) => Uint32Array.from(l));
}

/**
 * One task. A class with at least K + Q rows gives distinct support and query rows; a rarer class is drawn with
 * replacement (support and query may then share rows: with one row that is all there is).
 */
export function sampleTask(x: Float32Array, cols: number, byClass: Uint32Array[], ways: number, shots: number, queries: number, rng: Rng): Task {
  const present = byClass.map((r, c) => (r.length > 0 ? c : -1)).filter((c) => c >= 0);
  const n = Math.min(ways, present.length);
  const classes: number[] = [];
  const others = present.filter((c) => c !== 0);
  if (present.includes(0)) classes.push(0);
  const pick = rng.sampleIndices(others.length, n - classes.length);
  for (const k of pick) classes.push(others[k]);
  classes.sort((a, b) => a - b);
  const sIdx: number[] = [];
  const qIdx: number[] = [];
  const sLab: number[] = [];
  const qLab: number[] = [];
  for (const c of classes) {
    const rows = byClass[c];
    if (rows.length >= shots + queries) {
      const s = rng.sampleIndices(rows.length, shots + queries);
      for (let k = 0; k < shots; k++) sIdx.push(rows[s[k]]);
      for (let k = shots; k < shots + queries; k++) qIdx.push(rows[s[k]]);
    } else {
      for (let k = 0; k < shots; k++) sIdx.push(rows[rng.int(rows.length)]);
      for (let k = 0; k < queries; k++) qIdx.push(rows[rng.int(rows.length)]);
    }
    for (let k = 0; k < shots; k++) sLab.push(c);
    for (let k = 0; k < queries; k++) qLab.push(c);
  }
  return { classes, support: gatherSet(x, cols, sIdx, sLab), query: gatherSet(x, cols, qIdx, qLab) };
}

function gatherSet(x: Float32Array, cols: number, idx: number[], labels: number[]): TaskSet {
  const out = new Float32Array(idx.length * cols);
  idx.forEach((r, k) => out.set(x.subarray(r * cols, (r + 1) * cols), k * cols));
  return { x: out, labels: Int32Array.from(labels), rows: idx.length };
}
