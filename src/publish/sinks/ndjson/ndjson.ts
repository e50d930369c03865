import { createReadStream, createWriteStream, closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PeregrineError } from '../../../core/errors.js';
import { realClock } from '../../clock.js';
import { serializeRecord } from '../../records.js';
import type { Clock, ForensicRecord, ForensicSink, HealthStatus, SendResult, SinkStats } from '../../types.js';
import { errorText } from '../../util.js';
import { account, emptySinkStats } from '../sink.js';
import type { NdjsonOptions } from './options.js';

/**
 * Rotated NDJSON files: one record per line, appended to PREFIX.ndjson; rotated by size and age to
 * PREFIX-<UTC time>-<n>.ndjson (gzipped to .ndjson.gz when asked); the oldest rotated files beyond `maxFiles` are
 * deleted and counted. Append-only, so not idempotent: a replay after a crash can repeat lines (the ids tell).
 */
export class NdjsonSink implements ForensicSink<string> {
  readonly type = 'ndjson';
  private fd: number | null = null;
  private size = 0;
  private openedAt = 0;
  private seq = 0;
  private readonly s: SinkStats & { rotations: number; filesDeleted: number } = { ...emptySinkStats(), rotations: 0, filesDeleted: 0 };
  private readonly clock: Clock;

  constructor(
    readonly options: NdjsonOptions,
    clock?: Clock,
  ) {
    this.clock = clock ?? realClock;
  }

  get activePath(): string {
    return join(this.options.dir, `${this.options.prefix}.ndjson`);
  }

  toPayload(batch: readonly ForensicRecord[]): string {
    let out = '';
    for (const r of batch) out += serializeRecord(r) + '\n';
    return out;
  }

  async start(): Promise<void> {
    if (this.fd !== null) return;
    try {
      mkdirSync(this.options.dir, { recursive: true });
      this.fd = openSync(this.activePath, 'a');
      const st = fstatSync(this.fd);
      this.size = st.size;
      // an existing file's age counts from its creation (birthtime when the filesystem has it)
      this.openedAt = st.size > 0 ? Math.min(this.clock.now(), st.birthtimeMs || st.mtimeMs) : this.clock.now();
    } catch (e) {
      throw new PeregrineError('PGN_ERR_IO', `cannot open the NDJSON forensic file: ${(e as Error).message}`, { where: this.activePath, cause: e });
    }
  }

  async send(batch: readonly ForensicRecord[]): Promise<SendResult> {
    const payload = this.toPayload(batch);
    const bytes = Buffer.byteLength(payload);
    this.s.requests++;
    try {
      await this.start();
      const tooOld = this.options.maxAgeSeconds > 0 && this.clock.now() - this.openedAt >= this.options.maxAgeSeconds * 1000;
      if (this.size > 0 && (this.size + bytes > this.options.maxBytes || tooOld)) await this.rotate();
      writeSync(this.fd as number, payload);
      this.size += bytes;
      this.s.bytesSent += bytes;
      return account(this.s, { status: 'delivered', delivered: batch.length, duplicates: 0, retry: [], rejected: [] });
    } catch (e) {
      // disk full, permissions: keep the records and try again later
      return account(this.s, { status: 'retryable', delivered: 0, duplicates: 0, retry: [...batch], rejected: [], error: errorText(e) });
    }
  }

  /** Closes the active file under a rotated name (gzipped when asked) and starts a new one. */
  async rotate(): Promise<string | null> {
    if (this.fd === null) await this.start();
    if (this.size === 0) return null;
    closeSync(this.fd as number);
    this.fd = null;
    const stamp = new Date(this.clock.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    let name: string;
    do {
      name = join(this.options.dir, `${this.options.prefix}-${stamp}-${++this.seq}.ndjson`);
    } while (existsSync(name) || existsSync(name + '.gz'));
    renameSync(this.activePath, name);
    let rotated = name;
    if (this.options.gzip) {
      await pipeline(createReadStream(name), createGzip(), createWriteStream(name + '.gz'));
      unlinkSync(name);
      rotated = name + '.gz';
    }
    this.s.rotations++;
    this.prune();
    await this.start();
    return rotated;
  }

  /** Rotated files, oldest first (by their UTC stamp, then their number). */
  rotatedFiles(): string[] {
    const re = new RegExp(`^${this.options.prefix.replace(/[.]/g, '\\.')}-(\\d{8}T\\d{6}Z)-(\\d+)\\.ndjson(\\.gz)?$`);
    return readdirSync(this.options.dir)
      .map((n) => ({ n, m: re.exec(n) }))
      .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
      .sort((a, b) => (a.m[1] < b.m[1] ? -1 : a.m[1] > b.m[1] ? 1 : Number(a.m[2]) - Number(b.m[2])))
      .map((x) => join(this.options.dir, x.n));
  }

  private prune(): void {
    if (this.options.maxFiles <= 0) return;
    const files = this.rotatedFiles();
    for (const f of files.slice(0, Math.max(0, files.length - this.options.maxFiles))) {
      unlinkSync(f);
      this.s.filesDeleted++;
    }
  }

  async healthcheck(): Promise<HealthStatus> {
    try {
      mkdirSync(this.options.dir, { recursive: true });
      accessSync(this.options.dir, constants.W_OK);
      return { ok: true, detail: `writing ${this.activePath}` };
    } catch (e) {
      return { ok: false, detail: errorText(e) };
    }
  }

  stats(): SinkStats & { rotations: number; filesDeleted: number } {
    return { ...this.s };
  }

  async close(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
