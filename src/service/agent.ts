/**
 * The per-node agent: tails events (files or stdin), summarises and scores them locally with the runtime models
 * fetched from the hub (the SRI paper's scalable design: analyse locally, ship little), and forwards findings plus
 * a node summary to the hub over a FindingTransport (HTTP by default, the NATS bus when configured).
 */
import { existsSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Finding } from '../alerting/types.js';
import type { PeregrineConfig } from '../core/config.js';
import { parseNdjsonEvent } from '../ingest/events/index.js';
import type { AgentSummary, FindingEnvelope, FindingTransport } from './contracts.js';
import { metricsCallbacks, RuntimeDetector } from './detect/runtime.js';
import { falcoSource, tetragonSource } from './ingest/sources.js';
import type { DecodeLimits, StreamRecords } from './ingest/source.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';
import { sendWithRetry } from './transport.js';

export const AGENT_FORMATS = ['falco', 'tetragon', 'ndjson'] as const;
export type AgentFormat = (typeof AGENT_FORMATS)[number];

export interface AgentOptions {
  logger: Logger;
  transport: FindingTransport;
  token?: string;
  fetchImpl?: typeof fetch;
}

/** Findings held while the hub is unreachable. */
const MAX_PENDING = 10_000;

export class Agent {
  readonly metrics: ServiceMetrics;
  readonly runtime: RuntimeDetector;
  private pending: Finding[] = [];
  private sending: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private readonly limits: DecodeLimits;
  events = 0;
  bad = 0;
  sent = 0;
  /** Findings dropped (oldest first) because the hub stayed unreachable past MAX_PENDING. */
  droppedFindings = 0;

  constructor(
    readonly config: PeregrineConfig,
    private readonly o: AgentOptions,
  ) {
    this.metrics = createServiceMetrics(new Registry(), { defaults: false });
    if (config.detection.modelDir === '') config.detection.modelDir = join(config.dataDir, 'models');
    this.runtime = new RuntimeDetector({ config, ...metricsCallbacks(this.metrics), logger: o.logger.child({ component: 'runtime' }), emit: (f) => this.queueFinding(f) });
    this.limits = { maxJsonDepth: config.server.maxJsonDepth, maxRecordBytes: config.server.maxRecordBytes, maxErrorsListed: 5 };
  }

  private queueFinding(f: Finding): void {
    this.pending.push(f);
    if (this.pending.length > MAX_PENDING) {
      // memory stays bounded while the hub is down; the newest findings are the ones worth keeping
      this.droppedFindings += this.pending.length - MAX_PENDING;
      this.pending.splice(0, this.pending.length - MAX_PENDING);
    }
  }

  /** Fetches the hub's runtime models into the local registry folder, then starts local detection. */
  async start(): Promise<{ models: number; fetched: number }> {
    const fetched = await this.fetchModels().catch((e: unknown) => {
      this.o.logger.warn({ err: (e as Error).message }, 'could not fetch models from the hub; groups without a local model learn locally');
      return 0;
    });
    const models = await this.runtime.start();
    this.timer = setInterval(() => void this.flush(), 1000);
    // the node summary also goes out on its own when there is nothing to report (the hub sees the agent alive), and
    // models the hub trained or received since (new version files) are fetched and swapped in
    this.syncTimer = setInterval(() => {
      void this.sendSummary();
      void this.syncModels().catch((e: unknown) => this.o.logger.warn({ err: (e as Error).message }, 'model sync with the hub failed; keeping the models in use'));
    }, this.config.agent.syncSeconds * 1000);
    return { models: models.length, fetched };
  }

  private syncing: Promise<{ fetched: number; changed: { group: string; version: string; previous: string }[] }> | null = null;

  /**
   * Fetches the model files the hub has and this node lacks (file names carry the version, so a new name is a new
   * model) and hot-swaps them in (RuntimeDetector.reload: from each group's next interval on). One sync at a time.
   */
  syncModels(): Promise<{ fetched: number; changed: { group: string; version: string; previous: string }[] }> {
    this.syncing ??= (async () => {
      try {
        const fetched = await this.fetchModels(true);
        const changed = fetched > 0 ? await this.runtime.reload() : [];
        if (changed.length > 0) this.o.logger.info({ changed }, 'new runtime models from the hub in use');
        return { fetched, changed };
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  /** Downloads the hub's runtime model files into the local registry folder (`onlyNew`: those not there yet). */
  private async fetchModels(onlyNew = false): Promise<number> {
    const f = this.o.fetchImpl ?? globalThis.fetch;
    const headers = { authorization: `Bearer ${this.o.token ?? ''}` };
    const base = this.config.agent.hubUrl;
    const list = (await (await check(await f(new URL('/api/models/runtime/files', base), { headers }))).json()) as { files: Array<{ name: string }> };
    const dir = this.config.detection.modelDir;
    mkdirSync(dir, { recursive: true });
    let n = 0;
    for (const { name } of list.files) {
      if (!/^[A-Za-z0-9._-]+\.model\.json$/.test(name)) continue;
      if (onlyNew && existsSync(join(dir, name))) continue;
      const text = await (await check(await f(new URL(`/api/models/runtime/files/${encodeURIComponent(name)}`, base), { headers }))).text();
      // atomic: the registry never sees half a file (it verifies the checksum anyway)
      const tmp = join(dir, `.${name}.fetch-${process.pid}`);
      writeFileSync(tmp, text);
      renameSync(tmp, join(dir, name));
      n++;
    }
    return n;
  }

  /** Decodes a chunk of lines of one format and runs it through local detection. */
  async ingestLines(lines: string[], format: AgentFormat): Promise<void> {
    const recs: Array<StreamRecords['syscalls']> = [];
    if (format === 'ndjson') {
      lines.forEach((line, i) => {
        if (line.trim() === '') return;
        try {
          recs.push({ event: parseNdjsonEvent(line, { line: i + 1 }), line });
        } catch {
          this.bad++;
        }
      });
    } else {
      const src = format === 'falco' ? falcoSource : tetragonSource;
      const r = src.decode(lines.join('\n'), 'application/x-ndjson', this.limits);
      this.bad += r.badCount;
      recs.push(...r.records);
    }
    this.events += recs.length;
    this.metrics.received.inc({ source: format }, recs.length);
    if (recs.length > 0) await this.runtime.process(recs);
  }

  summary(): AgentSummary {
    return {
      node: this.config.node,
      sentAt: Date.now(),
      events: this.events,
      vectors: this.runtime.pipeline.summary().vectors,
      findings: this.sent,
      containers: this.runtime.evidence.size,
      models: this.runtime.modelList().map((m) => ({ group: m.group, version: m.version })),
    };
  }

  /** Sends pending findings (in batches of agent.batchFindings), one send at a time, retrying until taken. */
  flush(): Promise<void> {
    this.sending = this.sending.then(async () => {
      while (this.pending.length > 0) {
        const batch = this.pending.slice(0, this.config.agent.batchFindings);
        const env: FindingEnvelope = { node: this.config.node, batchId: randomUUID(), findings: batch, summary: this.summary() };
        try {
          await sendWithRetry(this.o.transport, env, { maxAttempts: 8 });
        } catch (e) {
          this.o.logger.error({ err: (e as Error).message, findings: batch.length }, 'findings not delivered to the hub; kept for the next attempt');
          return;
        }
        this.pending.splice(0, batch.length);
        this.sent += batch.length;
      }
    });
    return this.sending;
  }

  private sendSummary(): Promise<void> {
    this.sending = this.sending.then(async () => {
      if (this.pending.length > 0) return;
      try {
        await this.o.transport.send({ node: this.config.node, batchId: randomUUID(), findings: [], summary: this.summary() });
      } catch (e) {
        this.o.logger.warn({ err: (e as Error).message }, 'summary not delivered to the hub');
      }
    });
    return this.sending;
  }

  get pendingFindings(): number {
    return this.pending.length;
  }

  /** Closes open intervals (their findings are sent), flushes and closes the transport. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.syncTimer) clearInterval(this.syncTimer);
    await this.runtime.close();
    await this.flush();
    await this.o.transport.close();
  }
}

async function check(res: Response): Promise<Response> {
  if (!res.ok) throw new Error(`${res.url}: HTTP ${res.status}`);
  return res;
}
