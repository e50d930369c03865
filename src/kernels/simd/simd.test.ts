import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Rng } from '../../core/rng.js';
import { repoRoot } from '../../testing/paths.js';
import { GEMM_WASM_BASE64 } from './gemm-wasm.js';
import { SimdArena, simdKernelsEnabled } from './index.js';

interface Generator {
  wat: string;
  compile(text?: string): Promise<Buffer>;
  tsModule(bytes: Buffer): string;
}

test('the committed kernel (gemm.wat, gemm-wasm.ts) is what scripts/gen-simd-kernels.mjs generates', async () => {
  const root = repoRoot();
  const gen = (await import(pathToFileURL(join(root, 'scripts', 'gen-simd-kernels.mjs')).href)) as Generator;
  assert.equal(readFileSync(join(root, 'src', 'kernels', 'simd', 'gemm.wat'), 'utf8'), gen.wat, 'gemm.wat is stale: run node scripts/gen-simd-kernels.mjs');
  const bytes = await gen.compile();
  assert.equal(GEMM_WASM_BASE64, bytes.toString('base64'), 'gemm-wasm.ts is stale: run node scripts/gen-simd-kernels.mjs');
  assert.equal(readFileSync(join(root, 'src', 'kernels', 'simd', 'gemm-wasm.ts'), 'utf8'), gen.tsModule(bytes));
});

test('SIMD kernels run on this Node (WebAssembly SIMD) unless PEREGRINE_DENSE_KERNELS=tfjs', () => {
  assert.equal(simdKernelsEnabled(), true);
  const saved = process.env.PEREGRINE_DENSE_KERNELS;
  process.env.PEREGRINE_DENSE_KERNELS = 'tfjs';
  try {
    assert.equal(simdKernelsEnabled(), false);
  } finally {
    if (saved === undefined) delete process.env.PEREGRINE_DENSE_KERNELS;
    else process.env.PEREGRINE_DENSE_KERNELS = saved;
  }
});

test('gemm equals a plain triple loop for every tile shape, strided and transposed A, padded C rows', () => {
  const rng = new Rng(7);
  for (const m of [1, 3, 4, 5, 9]) {
    for (const n of [1, 3, 4, 7, 8, 9, 17]) {
      for (const k of [0, 1, 5, 12]) {
        for (const transA of [false, true]) {
          const lda = k + 2; // A stored with padding
          const ldb = n + 1;
          const ldc = n + 3;
          const aRows = transA ? k : m;
          const aCols = transA ? m : k;
          const { offsets, total } = SimdArena.layout([aRows * Math.max(lda, aCols + 2), k * ldb, m * ldc]);
          const arena = new SimdArena(total);
          const f = arena.f32;
          const [A, B, C] = offsets;
          const ldA = Math.max(lda, aCols + 2);
          for (let i = 0; i < aRows * ldA; i++) f[A + i] = rng.normal();
          for (let i = 0; i < k * ldb; i++) f[B + i] = rng.normal();
          f.fill(123, C, C + m * ldc);
          // A[i, t] = transA ? stored[t, i] : stored[i, t]
          const sa = transA ? 1 : ldA;
          const sk = transA ? ldA : 1;
          arena.gemm(A, sa, sk, B, ldb, C, ldc, m, k, n);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < ldc; j++) {
              const got = f[C + i * ldc + j];
              if (j >= n) {
                assert.equal(got, 123, 'the padding of C is left alone');
                continue;
              }
              let want = 0;
              for (let t = 0; t < k; t++) want += f[A + i * sa + t * sk] * f[B + t * ldb + j];
              assert.ok(Math.abs(got - want) < 1e-4 * (1 + Math.abs(want)), `m=${m} n=${n} k=${k} transA=${transA} C[${i},${j}] = ${got}, want ${want}`);
            }
          }
        }
      }
    }
  }
});

test('relu and relu_grad over strided rows, vector body and scalar tail alike', () => {
  const rng = new Rng(3);
  for (const n of [1, 3, 4, 6, 9]) {
    const rows = 3;
    const ld = n + 2;
    const { offsets, total } = SimdArena.layout([rows * ld, rows * n, rows * ld]);
    const arena = new SimdArena(total);
    const f = arena.f32;
    const [C, G, Y] = offsets;
    for (let i = 0; i < rows * ld; i++) f[C + i] = rng.normal();
    const before = f.slice(C, C + rows * ld);
    arena.relu(C, rows, n, ld);
    for (let i = 0; i < rows * ld; i++) assert.equal(f[C + i], i % ld < n ? Math.max(before[i], 0) : before[i], `relu n=${n} at ${i}`);
    for (let i = 0; i < rows * n; i++) f[G + i] = rng.normal();
    for (let i = 0; i < rows * ld; i++) f[Y + i] = i % 5 === 0 ? 0 : rng.normal();
    const g0 = f.slice(G, G + rows * n);
    arena.reluGrad(G, n, Y, ld, rows, n);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < n; j++) assert.equal(f[G + i * n + j], f[Y + i * ld + j] > 0 ? g0[i * n + j] : 0, `relu_grad n=${n} at ${i},${j}`);
    }
  }
});
