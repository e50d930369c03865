import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync, statSync } from 'node:fs';
import { PeregrineError } from '../core/errors.js';
import type { DetectorState } from '../detectors/detector.js';
import type { PipelineState } from '../features/pipeline.js';
import type { RawSchema } from '../ingest/types.js';
import type { ThresholdResult } from '../thresholds/thresholder.js';

/**
 * One model file holds everything scoring needs: the input schema, the fitted feature pipeline, the detector
 * state, the threshold and how it was trained, sealed with a SHA-256 checksum over the rest of the content.
 */

export const MODEL_FORMAT = 'peregrine-model';
export const MODEL_FORMAT_VERSION = 1;

export interface ReaderSettings {
  includePorts: boolean;
  labelColumn?: string;
  idColumns?: string[];
  benignLabels?: string[];
  /** Event formats: interval length of the activity vectors. */
  intervalSeconds?: number;
}

export interface TrainingMetadata {
  files: { path: string; bytes: number }[];
  rowsRead: number;
  rowsSkipped: number;
  /** Rows the detector was fitted on, and rows held out to calibrate the threshold. */
  fitRows: number;
  calibrationRows: number;
  normalOnly: boolean;
  classCounts: Record<string, number>;
  seed: number;
  fitSeconds: number;
  startedAt: string;
  finishedAt: string;
  imputedCells: Record<string, number>;
  command?: string;
}

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  peregrineVersion: string;
  createdAt: string;
  input: RawSchema;
  reader: ReaderSettings;
  features: { names: string[] };
  preprocessing: PipelineState;
  detector: DetectorState;
  threshold: ThresholdResult;
  training: TrainingMetadata;
  checksum: string;
}

export type UnsealedModel = Omit<ModelFile, 'checksum'>;

export function checksumOf(body: UnsealedModel): string {
  return 'sha256:' + createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

export function sealModel(body: UnsealedModel): ModelFile {
  return { ...body, checksum: checksumOf(body) };
}

/** Writes atomically (temp file + rename) so a crash never leaves a half-written model. Returns the size. */
export function saveModel(path: string, model: ModelFile): number {
  const text = JSON.stringify(model);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    throw new PeregrineError('PGN_ERR_IO', `cannot write model: ${(e as Error).message}`, { where: path, hint: 'check the folder exists and is writable' });
  }
  return Buffer.byteLength(text);
}

export function loadModel(path: string): { model: ModelFile; sizeBytes: number } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PeregrineError(code === 'ENOENT' ? 'PGN_ERR_FILE_NOT_FOUND' : 'PGN_ERR_IO', `cannot read model: ${code ?? (e as Error).message}`, {
      where: path,
      hint: 'train one with `peregrine train ... --out MODEL`',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PeregrineError('PGN_ERR_MODEL_FORMAT', 'not a Peregrine model (not valid JSON)', { where: path, hint: 'pass a file written by `peregrine train`' });
  }
  const m = parsed as Partial<ModelFile> | null;
  if (!m || typeof m !== 'object' || m.format !== MODEL_FORMAT) {
    throw new PeregrineError('PGN_ERR_MODEL_FORMAT', 'not a Peregrine model (no "format": "peregrine-model")', { where: path, hint: 'pass a file written by `peregrine train`' });
  }
  if (m.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new PeregrineError('PGN_ERR_MODEL_FORMAT', `model format version ${String(m.formatVersion)} is not supported (this build reads ${MODEL_FORMAT_VERSION})`, {
      where: path,
      hint: 'retrain the model with this version of peregrine',
    });
  }
  const { checksum, ...body } = m as ModelFile;
  const expected = checksumOf(body);
  if (checksum !== expected) {
    throw new PeregrineError('PGN_ERR_MODEL_CHECKSUM', 'checksum mismatch: the model file was corrupted or edited', {
      where: path,
      hint: 'retrain or restore the model from a good copy',
    });
  }
  return { model: m as ModelFile, sizeBytes: statSync(path).size };
}
