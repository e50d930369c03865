/**
 * The TensorFlow.js runtime shared by every neural model: lazy loading, backend selection and reporting.
 *
 * - Lazy: nothing here loads TF.js until a neural model fits or scores (`getTf()`), so commands that use classical
 *   detectors only never pay the import (~50 ms for tfjs-core + cpu + wasm, ~200 ms more with tfjs-node).
 * - Synchronous: the detector contract (`fit`/`score`) is synchronous, so the runtime is too. The WASM module is
 *   compiled and instantiated synchronously from the `.wasm` file inside node_modules (Node allows synchronous
 *   compilation of any size), so it works offline and needs no `await tf.ready()` anywhere.
 * - Backends, best first: `tensorflow` (only when the optional @tensorflow/tfjs-node is installed: it downloads
 *   libtensorflow at install, which offline machines cannot, so it is never a dependency), `wasm` (XNNPACK, SIMD
 *   when the engine has it), `cpu` (plain JS; also the fallback for kernels WASM lacks, e.g. conv2d gradients).
 * - Choice: a model's `backend` parameter wins; else PEREGRINE_TF_BACKEND (what the CLI's global `--backend`
 *   sets); else `auto`. An unavailable choice falls back down the list and the reason is reported; models store the
 *   backend they actually used (`fitInfo.backend`).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as TfNamespace from '@tensorflow/tfjs-core';
import { PeregrineError } from '../../core/errors.js';

export type Tf = typeof TfNamespace;
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
/** Preference order for `auto`. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];
export const BACKEND_ENV = 'PEREGRINE_TF_BACKEND';

export interface BackendStatus {
  name: BackendName;
  available: boolean;
  /** Why it is unavailable, or a detail such as "SIMD". */
  detail: string;
}

export interface ResolvedBackend {
  backend: BackendName;
  /** What was asked for (after the environment override) and why this backend was chosen. */
  requested: BackendChoice;
  reason: string;
}

interface RuntimeState {
  tf: Tf;
  status: Map<BackendName, BackendStatus>;
  loadMs: number;
}

const require = createRequire(import.meta.url);
let runtime: RuntimeState | null = null;

/** True once TF.js has been loaded in this process (tests use it to prove laziness). */
export function tfLoaded(): boolean {
  return runtime !== null;
}

/** The TF.js namespace (tfjs-core with the cpu and wasm backends, plus tfjs-node when installed). Loads on first call. */
export function getTf(): Tf {
  return load().tf;
}

let full: unknown = null;

/**
 * The full @tensorflow/tfjs namespace (layers, gradients of every op; ~150 ms more to load). Loading it also
 * registers the gradient functions that autodiff (tf.grad, tf.variableGrads) needs; getTf() alone has none, because
 * the models here compute their gradients by hand. The trainer calls this for models that set `autodiff`.
 */
export function getTfFull(): typeof import('@tensorflow/tfjs') {
  load();
  if (!full) full = require('@tensorflow/tfjs');
  return full as typeof import('@tensorflow/tfjs');
}

/** Which backends this process can use, and why not. */
export function backendStatus(): BackendStatus[] {
  const s = load().status;
  return BACKEND_ORDER.map((n) => s.get(n) as BackendStatus);
}

/** PEREGRINE_TF_BACKEND (set by the CLI's `--backend`), validated; `auto` when unset. */
export function envBackendChoice(): BackendChoice {
  const v = process.env[BACKEND_ENV]?.trim();
  if (!v) return 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(v)) {
    throw new PeregrineError('PGN_ERR_USAGE', `unknown TF.js backend "${v}"`, { where: BACKEND_ENV, hint: `use one of ${BACKEND_CHOICES.join(', ')}` });
  }
  return v as BackendChoice;
}

/**
 * Picks the backend for a model: its own `choice` unless `auto`, else the environment's, else the best available.
 * `kernels` lists kernel names the model needs (e.g. 'Conv2DBackpropFilter'): a backend lacking one is skipped.
 */
export function resolveBackend(choice: BackendChoice = 'auto', kernels: readonly string[] = []): ResolvedBackend {
  const { tf, status } = load();
  const requested = choice === 'auto' ? envBackendChoice() : choice;
  const notes: string[] = [];
  const start = requested === 'auto' ? 0 : BACKEND_ORDER.indexOf(requested);
  for (let i = start; i < BACKEND_ORDER.length; i++) {
    const name = BACKEND_ORDER[i];
    const st = status.get(name) as BackendStatus;
    if (!st.available) {
      notes.push(`${name} unavailable (${st.detail})`);
      continue;
    }
    const missing = kernels.filter((k) => tf.getKernel(k, name) === undefined);
    if (missing.length > 0) {
      notes.push(`${name} lacks ${missing.join(', ')}`);
      continue;
    }
    const why = requested === 'auto' ? 'auto' : i === start ? 'requested' : `requested ${requested}`;
    return { backend: name, requested, reason: [why, ...notes].join('; ') + (st.detail ? ` [${name}: ${st.detail}]` : '') };
  }
  // The cpu backend has every kernel TF.js defines; reaching here means a kernel exists nowhere.
  throw new PeregrineError('PGN_ERR_INTERNAL', `no TF.js backend can run this model: ${notes.join('; ')}`);
}

/** Runs `fn` with `backend` active, restoring the previous backend afterwards (all backends init synchronously). */
export function withBackend<T>(backend: BackendName, fn: (tf: Tf) => T): T {
  const { tf } = load();
  const previous = tf.getBackend();
  if (previous !== backend) activate(tf, backend);
  try {
    return fn(tf);
  } finally {
    if (previous !== backend && previous) activate(tf, previous as BackendName);
  }
}

function activate(tf: Tf, name: BackendName): void {
  // setBackend returns a promise, but for a backend whose factory is synchronous (all three here) the switch is
  // complete when it returns: the first await is only reached for asynchronous factories.
  void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new PeregrineError('PGN_ERR_INTERNAL', `TF.js backend "${name}" failed to initialise`);
}

function load(): RuntimeState {
  if (runtime) return runtime;
  const t0 = performance.now();
  const status = new Map<BackendName, BackendStatus>();
  // Resolve tfjs-core and the cpu backend through @tensorflow/tfjs (our declared dependency), so the copy used is
  // the one tfjs itself uses. tfjs-layers/converter/data are not loaded: models here need only the core ops.
  const tfjsRequire = createRequire(require.resolve('@tensorflow/tfjs'));
  const tf = tfjsRequire('@tensorflow/tfjs-core') as Tf;
  tfjsRequire('@tensorflow/tfjs-backend-cpu');
  // Silence the console banner ("install tfjs-node") and debug checks; errors still throw.
  tf.env().set('PROD', true);
  status.set('cpu', { name: 'cpu', available: true, detail: 'JavaScript' });
  status.set('tensorflow', loadTfNode(tf));
  status.set('wasm', loadWasm(tf));
  runtime = { tf, status, loadMs: performance.now() - t0 };
  const first = BACKEND_ORDER.find((n) => status.get(n)?.available) ?? 'cpu';
  activate(tf, first);
  return runtime;
}

/** tfjs-node, only when installed (an optional, never declared dependency). */
function loadTfNode(tf: Tf): BackendStatus {
  if (process.env.PEREGRINE_TF_NO_NODE === '1') return { name: 'tensorflow', available: false, detail: 'disabled by PEREGRINE_TF_NO_NODE' };
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch {
    return { name: 'tensorflow', available: false, detail: '@tensorflow/tfjs-node not installed' };
  }
  try {
    require('@tensorflow/tfjs-node');
    if (tf.findBackendFactory('tensorflow') == null) return { name: 'tensorflow', available: false, detail: 'tfjs-node loaded another tfjs-core copy' };
    return { name: 'tensorflow', available: true, detail: 'libtensorflow' };
  } catch (e) {
    return { name: 'tensorflow', available: false, detail: `tfjs-node failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** The smallest module using a v128 instruction (wasm-feature-detect's SIMD probe). */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** The slice of the WebAssembly API used here (lib.dom is not in this project's TypeScript libs). */
interface WasmInstance {
  exports: object;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface EmscriptenModule {
  cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => unknown;
  tfjs?: Record<string, unknown>;
}

/**
 * Registers the WASM backend with a synchronous factory: the Emscripten module is instantiated from the `.wasm` file
 * with `new WebAssembly.Module/Instance`, then wrapped exactly as tfjs-backend-wasm's own `init()` does.
 */
function loadWasm(tf: Tf): BackendStatus {
  if (tf.findBackend('wasm') != null) return { name: 'wasm', available: true, detail: 'initialised elsewhere' };
  try {
    const wasmPkg = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    // For anyone who initialises it the asynchronous way: load the binaries from disk, never from a CDN.
    wasmPkg.setWasmPaths(join(dir, 'dist') + '/');
    const simd = WA.validate(SIMD_PROBE);
    const bytes = readFileSync(join(dir, 'dist', simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm'));
    const factory = require(join(dir, 'wasm-out', 'tfjs-backend-wasm.js')) as (m: EmscriptenModule) => Promise<unknown>;
    const mod = {
      instantiateWasm(imports: object, done: (i: WasmInstance, m: object) => void) {
        const m = new WA.Module(bytes);
        const inst = new WA.Instance(m, imports);
        done(inst, m);
        return inst.exports;
      },
    } as unknown as EmscriptenModule;
    factory(mod).catch(() => undefined);
    if (typeof mod.cwrap !== 'function') throw new Error('the WASM module did not initialise synchronously');
    mod.tfjs = {
      init: mod.cwrap('init', null, []),
      initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
      registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: mod.cwrap('dispose_data', null, ['number']),
      dispose: mod.cwrap('dispose', null, []),
    };
    const BackendWasm = wasmPkg.BackendWasm as unknown as new (m: unknown) => TfNamespace.KernelBackend;
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => new BackendWasm(mod), 2);
    return { name: 'wasm', available: true, detail: simd ? 'SIMD, 1 thread' : 'no SIMD, 1 thread' };
  } catch (e) {
    return { name: 'wasm', available: false, detail: `WASM backend failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** Load time and backends, for `peregrine detectors` / diagnostics. */
export function runtimeInfo(): { tfjs: string; loadMs: number; active: string; backends: BackendStatus[] } {
  const r = load();
  return { tfjs: r.tf.version_core, loadMs: Math.round(r.loadMs), active: r.tf.getBackend(), backends: backendStatus() };
}

/**
 * Runs `fn` in tf.tidy and downloads the tensors it returns (then disposes them).
 * Why not `tf.tidy(() => t.dataSync())`: tidy scans what its callback returns for tensors to keep, and it walks a
 * typed array index by index (for..in), which costs seconds for a million-value embedding batch.
 */
export function tidyRead<K extends string>(tf: Tf, fn: () => Record<K, TfNamespace.Tensor>): Record<K, Float32Array> {
  const kept = tf.tidy(fn);
  const out = {} as Record<K, Float32Array>;
  try {
    for (const k of Object.keys(kept) as K[]) out[k] = kept[k].dataSync() as Float32Array;
  } finally {
    for (const k of Object.keys(kept) as K[]) kept[k].dispose();
  }
  return out;
}
