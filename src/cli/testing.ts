/**
 * Helpers for the CLI end-to-end tests: run the compiled `peregrine` as a child process, check the one-line error
 * contract of docs/errors.md, and generate a small demo data set in a temporary folder.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../testing/paths.js';
import { writeDemoDataset, type DemoDataset } from '../simulate/flows/dataset.js';
import type { EvaluationReport } from '../evaluation/report.js';
import type { ThresholdResult } from '../thresholds/thresholder.js';
import type { ModelFile, TrainingMetadata } from '../training/model-file.js';

export type { EvaluationReport, ModelFile };

/** The compiled CLI entry point. */
export const CLI = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The command line, for assertion messages. */
  cmd: string;
}

/**
 * Runs `node dist/src/cli/main.js ...args` (asynchronously, so independent runs can overlap). stdin is closed and
 * stderr is a pipe, so no progress bar is drawn.
 */
export function cli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return run(process.execPath, [CLI, ...args], { ...opts, display: `peregrine ${args.join(' ')}` });
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs any command (for example the CLI under /usr/bin/time), capturing stdout and stderr. */
export function run(command: string, args: string[], opts: RunOptions & { display?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { ...process.env, PEREGRINE_DEBUG: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 120_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        cmd: opts.display ?? `${command} ${args.join(' ')}`,
      }),
    );
  });
}

/** Describes a run for assertion messages. */
export function show(r: CliResult): string {
  const clip = (s: string) => (s.length > 2000 ? `${s.slice(0, 2000)}...` : s);
  return `${r.cmd}\nexit ${r.code}\n--- stderr\n${clip(r.stderr)}--- stdout\n${clip(r.stdout)}`;
}

/** Asserts a successful run. */
export function assertOk(r: CliResult): CliResult {
  assert.equal(r.code, 0, show(r));
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace on stderr\n${show(r)}`);
  return r;
}

/**
 * Asserts the documented failure form: exit code `exit`, exactly one stderr line reading
 * `peregrine: CODE: where: what (hint)`, no stack trace, and (when given) `where` right after the code.
 * Returns the line for further checks.
 */
export function assertError(r: CliResult, exit: number, code: string | RegExp, where?: string): string {
  assert.equal(r.code, exit, show(r));
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `expected one stderr line\n${show(r)}`);
  const line = lines[0];
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace on stderr\n${show(r)}`);
  assert.doesNotMatch(line, /PGN_ERR_INTERNAL/, show(r));
  const m = /^peregrine: (PGN_ERR_[A-Z_]+): (.*)$/.exec(line);
  assert.ok(m, `not of the form "peregrine: PGN_ERR_...: ..."\n${show(r)}`);
  if (typeof code === 'string') assert.equal(m[1], code, show(r));
  else assert.match(m[1], code, show(r));
  if (where !== undefined) assert.ok(m[2].startsWith(`${where}: `), `expected "${where}: " after the code\n${show(r)}`);
  return line;
}

/** A temporary folder, removed by the returned cleanup function. */
export function tempDir(prefix = 'peregrine-cli-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A small demo data set: ~1,900 benign training rows and ~3,000 test rows (about a third of them attacks of every
 * scenario). The default attack windows span 600 s, so a 120 s test capture needs its own, compressed windows.
 */
export async function smallDemo(dir: string, seed = 1): Promise<DemoDataset> {
  return writeDemoDataset(join(dir, 'demo'), {
    seed,
    trainSeconds: 120,
    testSeconds: 120,
    attacks: [
      { scenario: 'portscan', startSeconds: 10, durationSeconds: 15 },
      { scenario: 'synflood', startSeconds: 30, durationSeconds: 5 },
      { scenario: 'httpflood', startSeconds: 45, durationSeconds: 10 },
      { scenario: 'reverseshell', startSeconds: 60, durationSeconds: 50 },
      { scenario: 'exfiltration', startSeconds: 70, durationSeconds: 30 },
      { scenario: 'cryptomining', startSeconds: 80, durationSeconds: 35 },
    ],
  });
}

/** Data rows of a CSV text (lines after the header, ignoring the final newline). */
export function dataLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.slice(1);
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** A model file as written by `peregrine train`. */
export function readModel(path: string): ModelFile {
  return readJson<ModelFile>(path);
}

/** `peregrine inspect --json` (src/cli/inspect.ts). */
export interface InspectJson {
  file: string;
  sizeBytes: number;
  checksum: string;
  formatVersion: number;
  peregrineVersion: string;
  createdAt: string;
  input: { format: string; numericColumns: number; categoricalColumns: string[]; identifiers: string[]; label: string | null };
  preprocessing: Record<string, unknown>;
  features: string[];
  detector: { type: string; version: number; params: Record<string, unknown> };
  threshold: ThresholdResult;
  training: TrainingMetadata;
}

/** `peregrine train --json` (src/cli/train.ts). */
export interface TrainSummary {
  model: string;
  sizeBytes: number;
  detector: string;
  features: number;
  rowsRead: number;
  rowsSkipped: number;
  fitRows: number;
  calibrationRows: number;
  fitSeconds: number;
  readSeconds: number;
  threshold: ThresholdResult;
}

/** `peregrine detectors --json` (src/cli/detectors.ts). */
export interface DetectorsJson {
  detectors: { name: string; description: string; kind?: string; defaults: Record<string, unknown> }[];
  thresholds: { name: string; description: string; defaults: Record<string, unknown> }[];
}

/** Supervised detectors (fitted on labelled benign and attack rows) rather than one-class ones. */
export function isSupervised(d: DetectorsJson['detectors'][number]): boolean {
  return d.kind === 'supervised' || (d.kind === undefined && /\bsupervised\b/i.test(d.description) && !/semi-supervised/i.test(d.description));
}

export function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
