/**
 * The hub's handle on the runtime detector running in a worker thread (runtime-worker.ts): batches go in (one
 * promise per batch, resolved once processed, so the ingest queue keeps bounding memory), findings, score ratios
 * and model changes come back as messages. If the worker dies, pending and later calls reject and the hub reports
 * itself not ready.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Finding } from '../../alerting/types.js';
import type { PeregrineConfig } from '../../core/config.js';
import type { StreamRecords } from '../ingest/source.js';
import type { RuntimeStatus, StatusQuery } from './runtime-status.js';

export interface RuntimeClientOptions {
  config: PeregrineConfig;
  logger: Logger;
  emit: (f: Finding) => void;
  onScore: (ratio: number) => void;
  onModel: (group: string, version: string, previous: string) => void;
}

type Reply = { type: 'reply'; id: number; data?: unknown; error?: string };
type Out =
  | Reply
  | { type: 'finding'; finding: Finding }
  | { type: 'scores'; values: number[] }
  | { type: 'model'; group: string; version: string; previous: string };

export class RuntimeWorkerClient {
  readonly modelDir: string;
  readonly forensicsPath: string;
  containers = 0;
  dead = '';
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private seq = 0;

  constructor(private readonly o: RuntimeClientOptions) {
    this.modelDir = o.config.detection.modelDir || join(o.config.dataDir, 'models');
    this.forensicsPath = join(o.config.dataDir, 'forensics.db');
    this.worker = new Worker(new URL('./runtime-worker.js', import.meta.url), {
      workerData: { config: o.config, logLevel: o.logger.level },
    });
    this.worker.on('message', (m: Out) => this.onMessage(m));
    this.worker.on('error', (e) => this.fail(`runtime worker failed: ${e.message}`));
    this.worker.on('exit', (code) => {
      if (this.pending.size > 0 || code !== 0) this.fail(`runtime worker exited (${code})`);
    });
  }

  private onMessage(m: Out): void {
    if (m.type === 'reply') {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.data);
    } else if (m.type === 'finding') this.o.emit(m.finding);
    else if (m.type === 'scores') for (const v of m.values) this.o.onScore(v);
    else if (m.type === 'model') this.o.onModel(m.group, m.version, m.previous);
  }

  private fail(reason: string): void {
    if (this.dead === '') this.o.logger.error({ reason }, 'runtime detection stopped');
    this.dead ||= reason;
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }

  private call<T>(msg: Record<string, unknown>): Promise<T> {
    if (this.dead) return Promise.reject(new Error(this.dead));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }

  async start(): Promise<number> {
    return (await this.call<{ models: number }>({ type: 'start' })).models;
  }

  async process(records: ReadonlyArray<StreamRecords['syscalls']>): Promise<void> {
    const r = await this.call<{ containers: number }>({ type: 'batch', records });
    this.containers = r.containers;
  }

  status(query: StatusQuery = {}): Promise<RuntimeStatus> {
    return this.call<RuntimeStatus>({ type: 'status', query });
  }

  /** Hot swap: the worker re-reads the model registry; returns the groups whose model changed. */
  async reload(): Promise<{ group: string; version: string; previous: string }[]> {
    return (await this.call<{ changed: { group: string; version: string; previous: string }[] }>({ type: 'reload' })).changed;
  }

  /** Closes open intervals, flushes the forensic store, ends the worker. */
  async close(): Promise<void> {
    try {
      if (!this.dead) await this.call({ type: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }
}
