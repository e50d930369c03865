#!/usr/bin/env node
/**
 * Generates Peregrine's WebAssembly SIMD matrix-multiply kernel: writes the text form (src/kernels/simd/gemm.wat,
 * for reading and review) and the compiled bytes embedded in src/kernels/simd/gemm-wasm.ts (so the runtime compiles
 * them synchronously, with no tool at run time). Run `node scripts/gen-simd-kernels.mjs` after editing this file;
 * src/kernels/simd/simd.test.ts fails when the committed files and this generator disagree.
 *
 * The kernel: C[i, j] = sum_k A[i, k] B[k, j] for row-major B and C with any row strides and an A addressed by
 * (row stride, column stride), so A^T needs no copy. Tiles of 4 rows x 8 / 4 / 1 columns: per k, each of the 4 rows
 * broadcasts one A value against 2 / 1 vectors of B (a register-blocked outer product, no packing); plain
 * f32x4.mul + f32x4.add (relaxed-SIMD FMA needs a flag in Node 20).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One tile: R rows x W columns (W = 8: two vectors per row, 4: one, 1: scalar). Pointers and strides in bytes. */
function tile(R, W) {
  const V = W === 8 ? 2 : 1;
  const vec = W !== 1;
  const T = vec ? 'v128' : 'f32';
  const accs = [];
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) accs.push(`$c${r}_${v}`);
  const zero = vec ? '(v128.const i32x4 0 0 0 0)' : '(f32.const 0)';
  const lines = [];
  lines.push(`  (func $tile_${R}_${W} (param $a i32) (param $sa i32) (param $sk i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32) (param $k i32)`);
  lines.push(`    ${accs.map((a) => `(local ${a} ${T})`).join(' ')} ${Array.from({ length: V }, (_, v) => `(local $b${v} ${T})`).join(' ')} (local $s ${T}) (local $ar i32) (local $cr i32)`);
  for (const a of accs) lines.push(`    (local.set ${a} ${zero})`);
  lines.push('    (block $done (loop $next');
  lines.push('      (br_if $done (i32.eqz (local.get $k)))');
  for (let v = 0; v < V; v++) lines.push(`      (local.set $b${v} (${T}.load offset=${16 * v} (local.get $b)))`);
  lines.push('      (local.set $ar (local.get $a))');
  for (let r = 0; r < R; r++) {
    if (r > 0) lines.push('      (local.set $ar (i32.add (local.get $ar) (local.get $sa)))');
    lines.push(vec ? '      (local.set $s (f32x4.splat (f32.load (local.get $ar))))' : '      (local.set $s (f32.load (local.get $ar)))');
    for (let v = 0; v < V; v++) {
      const op = vec ? 'f32x4' : 'f32';
      lines.push(`      (local.set $c${r}_${v} (${op}.add (local.get $c${r}_${v}) (${op}.mul (local.get $s) (local.get $b${v}))))`);
    }
  }
  lines.push('      (local.set $a (i32.add (local.get $a) (local.get $sk)))');
  lines.push('      (local.set $b (i32.add (local.get $b) (local.get $ldb)))');
  lines.push('      (local.set $k (i32.sub (local.get $k) (i32.const 1)))');
  lines.push('      (br $next)))');
  lines.push('    (local.set $cr (local.get $c))');
  for (let r = 0; r < R; r++) {
    if (r > 0) lines.push('    (local.set $cr (i32.add (local.get $cr) (local.get $ldc)))');
    for (let v = 0; v < V; v++) lines.push(`    (${T}.store offset=${16 * v} (local.get $cr) (local.get $c${r}_${v}))`);
  }
  lines.push('  )');
  return lines.join('\n');
}

/**
 * A row-by-row pass over a strided matrix starting at byte offset $<base>: $p walks it; with a second matrix
 * (base2, ld2), $q walks that one in step. `vec` handles 4 floats at $p / $q, `one` a single float.
 */
function elementwise(name, params, vec, one, base, ld, base2, ld2) {
  const second = base2 !== undefined;
  return `  (func (export "${name}") ${params}
    (local $i i32) (local $j i32) (local $p i32) (local $q i32) (local $r i32) (local $r2 i32)
    (local.set $r (local.get $${base}))
    ${second ? `(local.set $r2 (local.get $${base2}))` : ''}
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $p (local.get $r))
      ${second ? '(local.set $q (local.get $r2))' : ''}
      (local.set $j (i32.const 0))
      (block $v_done (loop $v
        (br_if $v_done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        ${vec}
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        ${second ? '(local.set $q (i32.add (local.get $q) (i32.const 16)))' : ''}
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $v)))
      (block $s_done (loop $s
        (br_if $s_done (i32.ge_u (local.get $j) (local.get $n)))
        ${one}
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        ${second ? '(local.set $q (i32.add (local.get $q) (i32.const 4)))' : ''}
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $s)))
      (local.set $r (i32.add (local.get $r) (i32.shl (local.get $${ld}) (i32.const 2))))
      ${second ? `(local.set $r2 (i32.add (local.get $r2) (i32.shl (local.get $${ld2}) (i32.const 2))))` : ''}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row)))
  )`;
}

/** All column tiles of one block of R rows. */
function rowBlock(R) {
  return `  (func $rows_${R} (param $a i32) (param $sa i32) (param $sk i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32) (param $k i32) (param $n i32)
    (local $j i32)
    (block $d8 (loop $l8
      (br_if $d8 (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
      (call $tile_${R}_8 (local.get $a) (local.get $sa) (local.get $sk) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldb) (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldc) (local.get $k))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $l8)))
    (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)) (then
      (call $tile_${R}_4 (local.get $a) (local.get $sa) (local.get $sk) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldb) (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldc) (local.get $k))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $j) (local.get $n)))
      (call $tile_${R}_1 (local.get $a) (local.get $sa) (local.get $sk) (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldb) (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldc) (local.get $k))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $l1)))
  )`;
}

const wat = `;; Generated by scripts/gen-simd-kernels.mjs: edit the generator, not this file.
;; gemm(a, sa, sk, b, ldb, c, ldc, m, k, n): C[i, j] = sum_t A[i, t] B[t, j], i < m, j < n, t < k.
;; relu(c, rows, n, ldc): C = max(C, 0) in place. relu_grad(g, ldg, y, ldy, rows, n): G[i, j] = 0 unless Y[i, j] > 0.
;; a, b, c: byte offsets; A[i, t] at a + 4 (i sa + t sk); B[t, j] at b + 4 (t ldb + j); C[i, j] at c + 4 (i ldc + j).
(module
  (memory (export "memory") 1)
${[4, 1].flatMap((R) => [8, 4, 1].map((W) => tile(R, W))).join('\n')}
${rowBlock(4)}
${rowBlock(1)}
;; Element-wise passes over strided matrices (byte offsets, float strides): 4 lanes at a time, then a scalar tail.
${elementwise('relu', '(param $c i32) (param $rows i32) (param $n i32) (param $ldc i32)',
  '(v128.store (local.get $p) (f32x4.max (v128.load (local.get $p)) (v128.const i32x4 0 0 0 0)))',
  '(f32.store (local.get $p) (f32.max (f32.load (local.get $p)) (f32.const 0)))',
  'c', 'ldc')}
${elementwise('relu_grad', '(param $g i32) (param $ldg i32) (param $y i32) (param $ldy i32) (param $rows i32) (param $n i32)',
  '(v128.store (local.get $p) (v128.and (v128.load (local.get $p)) (f32x4.gt (v128.load (local.get $q)) (v128.const i32x4 0 0 0 0))))',
  '(if (i32.eqz (f32.gt (f32.load (local.get $q)) (f32.const 0))) (then (f32.store (local.get $p) (f32.const 0))))',
  'g', 'ldg', 'y', 'ldy')}
  (func (export "gemm") (param $a i32) (param $sa i32) (param $sk i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32) (param $m i32) (param $k i32) (param $n i32)
    (local $i i32)
    (local.set $sa (i32.shl (local.get $sa) (i32.const 2)))
    (local.set $sk (i32.shl (local.get $sk) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
      (call $rows_4 (local.get $a) (local.get $sa) (local.get $sk) (local.get $b) (local.get $ldb) (local.get $c) (local.get $ldc) (local.get $k) (local.get $n))
      (local.set $a (i32.add (local.get $a) (i32.shl (local.get $sa) (i32.const 2))))
      (local.set $c (i32.add (local.get $c) (i32.shl (local.get $ldc) (i32.const 2))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l4)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $m)))
      (call $rows_1 (local.get $a) (local.get $sa) (local.get $sk) (local.get $b) (local.get $ldb) (local.get $c) (local.get $ldc) (local.get $k) (local.get $n))
      (local.set $a (i32.add (local.get $a) (local.get $sa)))
      (local.set $c (i32.add (local.get $c) (local.get $ldc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l1)))
  )
)
`;

export async function compile(text = wat) {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('gemm.wat', text, { simd: true });
  try {
    mod.validate();
    return Buffer.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

export function tsModule(bytes) {
  const b64 = bytes.toString('base64');
  const lines = b64.match(/.{1,120}/g) ?? [];
  return `// Generated by scripts/gen-simd-kernels.mjs from gemm.wat: do not edit.
/** The compiled kernels (gemm, relu, relu_grad; WebAssembly with 128-bit SIMD), base64. */
export const GEMM_WASM_BASE64 =
${lines.map((l, i) => `  '${l}'${i < lines.length - 1 ? ' +' : ';'}`).join('\n')}
`;
}

export { wat };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await compile();
  writeFileSync(join(root, 'src/kernels/simd/gemm.wat'), wat);
  writeFileSync(join(root, 'src/kernels/simd/gemm-wasm.ts'), tsModule(bytes));
  process.stdout.write(`wrote src/kernels/simd/gemm.wat and gemm-wasm.ts (${bytes.length} bytes of WebAssembly)\n`);
}
