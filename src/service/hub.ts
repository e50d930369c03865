/**
 * The hub: ingest queues per source, the detection loops (syscalls -> runtime pipeline, flows -> flow model,
 * agents' findings), the alert pipeline and response engine, degraded-mode tracking with its self-alert, and the
 * HTTP server (server.ts). One process, SQLite under the data dir, no external service by default.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Alert, Finding } from '../alerting/types.js';
import { emptyEntity, emptyEvidence } from '../alerting/types.js';
import type { PeregrineConfig } from '../core/config.js';
import { PEREGRINE_VERSION } from '../core/version.js';
import { createBus, subjects, type Bus, type Subscription } from './bus/index.js';
import type { AgentSummary, AlertPipelineLike, ResponseEngineLike } from './contracts.js';
import { FlowDetector } from './detect/flows.js';
import { RuntimeWorkerClient } from './detect/runtime-client.js';
import './ingest/sources.js';
import { ingestSources, type DecodeLimits, type StreamName, type StreamRecords } from './ingest/source.js';
import type { DecodedFindings } from './ingest/findings.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics.js';
import { BoundedQueue } from './queue.js';
import { buildServer } from './server.js';
import { PeregrineError } from '../core/errors.js';
import { serverTlsOptions, watchServerTls } from './tls.js';
import type { Server as HttpsServer } from 'node:https';
import { createAlertPipeline, createResponseEngine } from './wiring.js';

export interface HubOptions {
  logger?: Logger;
  registry?: Registry;
  now?: () => number;
}

export interface IngestReply {
  status: number;
  body: Record<string, unknown>;
  retryAfter?: number;
}

interface SourceQueue {
  stream: StreamName;
  queue: BoundedQueue<unknown>;
}

export class Hub {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly runtime: RuntimeWorkerClient;
  readonly flows: FlowDetector;
  alerts!: AlertPipelineLike;
  response: ResponseEngineLike | null = null;
  app!: FastifyInstance;
  readonly queues = new Map<string, SourceQueue>();
  readonly agents = new Map<string, AgentSummary>();
  /** Every registered route (method + url), filled by fastify's onRoute hook: the auth test enumerates it. */
  readonly routes: Array<{ method: string; url: string }> = [];
  readonly startedAt = Date.now();
  degraded = false;
  ready = false;
  private readonly dropTimes: number[] = [];
  private bus: Bus | null = null;
  private busSub: Subscription | null = null;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private timers: NodeJS.Timeout[] = [];
  private stopTlsWatch: (() => void) | null = null;
  private readonly limits: DecodeLimits;
  private readonly now: () => number;

  constructor(
    readonly config: PeregrineConfig,
    opts: HubOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger ?? pino({ level: config.logLevel, base: { service: 'peregrine-hub' } });
    this.metrics = createServiceMetrics(opts.registry ?? new Registry());
    if (config.node === '') config.node = hostname();
    const emit = (f: Finding): void => this.submit(f);
    this.runtime = new RuntimeWorkerClient({
      config,
      logger: this.logger,
      emit,
      onScore: (r) => this.metrics.scores.observe({ modality: 'syscalls' }, r),
      onModel: (group, version, previous) => {
        if (previous !== '') this.metrics.modelInfo.remove({ group, version: previous });
        this.metrics.modelInfo.set({ group, version }, 1);
        this.logger.info({ group, version }, 'runtime model in use');
      },
    });
    this.flows = new FlowDetector({ config, metrics: this.metrics, logger: this.logger.child({ component: 'flows' }), emit });
    this.limits = { maxJsonDepth: config.server.maxJsonDepth, maxRecordBytes: config.server.maxRecordBytes, maxErrorsListed: 20 };
    for (const s of ingestSources.all()) this.addQueue(s.type, s.stream);
  }

  addQueue(source: string, stream: StreamName): BoundedQueue<unknown> {
    const existing = this.queues.get(source);
    if (existing) return existing.queue;
    const q = new BoundedQueue<unknown>(this.config.ingest.queueEvents, this.config.ingest.queueBytes);
    this.queues.set(source, { stream, queue: q });
    this.metrics.queueDepth.set({ source }, 0);
    return q;
  }

  /** Starts everything; on a failure (a bad TLS file, a port in use) what was started is stopped again, so the
   * process can exit with the one-line error instead of hanging on the detection worker. */
  async start(): Promise<{ url: string; port: number }> {
    try {
      return await this.startAll();
    } catch (e) {
      await this.stop().catch(() => undefined);
      throw e;
    }
  }

  private async startAll(): Promise<{ url: string; port: number }> {
    // TLS files first: a missing certificate is a one-line error before anything starts.
    const tls = serverTlsOptions(this.config.server.tls);
    mkdirSync(this.config.dataDir, { recursive: true });
    const w = { alerting: this.config.alerting, response: this.config.response, dataDir: this.config.dataDir, registry: this.metrics.registry, logger: this.logger, now: this.now };
    this.alerts = createAlertPipeline(w);
    await this.alerts.start();
    this.response = createResponseEngine({ ...w, captureForensics: async (a: Alert) => a.evidence.forensicsRef });
    this.alerts.on('alert', (alert, change) => {
      this.logger.info({ alert: alert.id, change, severity: alert.severity, title: alert.title, entity: `${alert.entity.namespace}/${alert.entity.workload}` }, 'alert');
      if (this.response && change !== 'resolved') this.response.onAlert(alert).catch((e: unknown) => this.logger.error({ err: (e as Error).message }, 'response engine failed'));
    });
    const models = await this.runtime.start();
    this.flows.start();
    this.logger.info({ runtimeModels: models, flowModel: this.flows.model()?.version ?? null, response: this.response !== null }, 'detection ready');
    this.loops = [this.syscallLoop(), this.streamLoop('flows'), this.streamLoop('findings')];
    if (this.config.bus) await this.consumeBus();
    this.timers.push(setInterval(() => this.housekeeping(), 1000));
    this.app = await buildServer(this, tls);
    const { port: wantPort, host } = this.config.server;
    let addr: string;
    try {
      addr = await this.app.listen({ port: wantPort, host });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new PeregrineError('PGN_ERR_USAGE', `cannot listen on ${host}:${wantPort} (${code})`, {
          where: 'server.port',
          hint: code === 'EADDRINUSE' ? 'another process holds the port: stop it, or pass --port / PEREGRINE_PORT' : 'choose a port and host this process may bind (--port, --host)',
        });
      }
      throw e;
    }
    if (tls) {
      const server = this.app.server as unknown as HttpsServer;
      this.stopTlsWatch = watchServerTls(
        this.config.server.tls,
        (o) => {
          server.setSecureContext(o);
          this.logger.info('TLS certificate files changed: new handshakes use them');
        },
        (e) => this.logger.warn({ err: e.message }, 'TLS certificate files changed but could not be read; the previous ones stay in use'),
      );
    }
    const port = (this.app.server.address() as { port: number }).port;
    this.ready = true;
    return { url: addr.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1'), port };
  }

  /** Takes a decoded HTTP body into its queue: all good records or none (429/503), bad records listed. */
  ingest(sourceType: string, body: string, contentType: string): IngestReply {
    const t0 = performance.now();
    const source = ingestSources.get(sourceType);
    const r = source.decode(body, contentType, this.limits);
    const reply = this.offer(sourceType, r.records, r.bytes);
    if (reply) {
      this.metrics.ingestLatency.observe({ source: sourceType }, (performance.now() - t0) / 1000);
      return reply;
    }
    if (sourceType === 'findings') for (const s of (r as DecodedFindings).summaries ?? []) this.agents.set(s.node, s);
    if (r.badCount > 0) {
      this.metrics.dropped.inc({ source: sourceType, reason: 'bad_record' }, r.badCount);
      for (const b of r.bad) this.metrics.badRecords.inc({ source: sourceType, code: b.code });
    }
    this.metrics.ingestLatency.observe({ source: sourceType }, (performance.now() - t0) / 1000);
    const counts = { accepted: r.records.length, rejected: r.badCount, ignored: r.ignored };
    if (r.badCount === 0) return { status: 202, body: counts };
    const first = r.bad[0];
    return {
      status: 400,
      body: {
        error: { code: first.code, message: `${r.badCount} record${r.badCount === 1 ? '' : 's'} rejected; first: ${first.message}`, line: first.line },
        ...counts,
        errors: r.bad,
      },
    };
  }

  /** Queues records of a source; returns a refusal reply when they do not fit (null when queued). */
  offer(sourceType: string, records: unknown[], bytes: number): IngestReply | null {
    if (records.length === 0) return null;
    const sq = this.queues.get(sourceType);
    if (!sq) throw new Error(`no queue for source ${sourceType}`);
    if (this.stopping || !sq.queue.offer(records, bytes)) {
      const reason = this.stopping ? 'shutdown' : this.degraded ? 'degraded' : 'queue_full';
      this.metrics.dropped.inc({ source: sourceType, reason }, records.length);
      this.dropTimes.push(this.now());
      const status = this.stopping || this.degraded ? 503 : 429;
      const retryAfter = this.config.ingest.retryAfterSeconds;
      return {
        status,
        retryAfter,
        body: {
          error: {
            code: this.stopping ? 'PGN_ERR_UNAVAILABLE' : 'PGN_ERR_OVERLOADED',
            message: this.stopping ? 'the service is shutting down' : `the ${sourceType} queue is full; retry after ${retryAfter} s (nothing of this request was taken)`,
          },
          accepted: 0,
        },
      };
    }
    this.metrics.received.inc({ source: sourceType }, records.length);
    this.metrics.queueDepth.set({ source: sourceType }, sq.queue.depth);
    return null;
  }

  /** Agents on the bus: envelopes go through the findings source like HTTP ones; a full queue naks (redelivered later). */
  private async consumeBus(): Promise<void> {
    const cfg = this.config.bus;
    if (!cfg) return;
    this.bus = await createBus(cfg);
    this.busSub = await this.bus.consume('peregrine-hub', subjects.allFindings, async (msg) => {
      const text = new TextDecoder().decode(msg.data);
      const r = this.ingest('findings', text, 'application/json');
      if (r.status === 429 || r.status === 503) throw new Error('findings queue full');
      if (r.status >= 400) this.logger.warn({ subject: msg.subject, error: r.body.error }, 'bad findings envelope on the bus (acked, not retried)');
    });
    this.logger.info({ bus: cfg.kind, stream: cfg.stream }, 'consuming agent findings from the bus');
  }

  submit(f: Finding): void {
    this.metrics.findings.inc({ modality: f.modality });
    try {
      this.alerts.submit(f);
    } catch (e) {
      this.logger.error({ err: (e as Error).message, finding: f.id }, 'alert pipeline refused a finding');
    }
  }

  private queuesOf(stream: StreamName): Array<[string, BoundedQueue<unknown>]> {
    return [...this.queues].filter(([, q]) => q.stream === stream).map(([s, q]) => [s, q.queue]);
  }

  private async syscallLoop(): Promise<void> {
    const batch = this.config.ingest.batchEvents;
    for (;;) {
      let took = 0;
      for (const [source, q] of this.queuesOf('syscalls')) {
        const recs = q.take(batch) as Array<StreamRecords['syscalls']>;
        this.metrics.queueDepth.set({ source }, q.depth);
        if (recs.length === 0) continue;
        took += recs.length;
        try {
          await this.runtime.process(recs);
        } catch (e) {
          this.logger.error({ err: (e as Error).message }, 'runtime pipeline failed on a batch');
          this.metrics.dropped.inc({ source, reason: 'processing_error' }, recs.length);
          continue;
        }
        this.metrics.processed.inc({ source }, recs.length);
      }
      if (took > 0) {
        await new Promise((r) => setImmediate(r)); // let HTTP requests in between batches
        continue;
      }
      if (this.stopping) return;
      await Promise.race(this.queuesOf('syscalls').map(([, q]) => q.wait(200)));
    }
  }

  private async streamLoop(stream: 'flows' | 'findings'): Promise<void> {
    for (;;) {
      let took = 0;
      for (const [source, q] of this.queuesOf(stream)) {
        const recs = q.take(this.config.ingest.batchEvents);
        this.metrics.queueDepth.set({ source }, q.depth);
        if (recs.length === 0) continue;
        took += recs.length;
        try {
          if (stream === 'flows') this.flows.process(recs as Array<StreamRecords['flows']>, this.now());
          else for (const r of recs as Array<StreamRecords['findings']>) this.submit(r.finding);
          this.metrics.processed.inc({ source }, recs.length);
        } catch (e) {
          this.logger.error({ err: (e as Error).message, stream }, 'detection failed on a batch');
          this.metrics.dropped.inc({ source, reason: 'processing_error' }, recs.length);
        }
      }
      if (took > 0) {
        await new Promise((r) => setImmediate(r));
        continue;
      }
      if (this.stopping) return;
      await Promise.race(this.queuesOf(stream).map(([, q]) => q.wait(200)));
    }
  }

  /** Once a second: degraded state and its self-alert, time-driven alert work, quiet flow windows. */
  private housekeeping(): void {
    const now = this.now();
    const windowMs = this.config.ingest.degradedDropWindowSeconds * 1000;
    while (this.dropTimes.length > 0 && now - this.dropTimes[0] > windowMs) this.dropTimes.shift();
    const fill = Math.max(0, ...[...this.queues.values()].map((q) => q.queue.stats().fill));
    const ratio = this.config.ingest.degradedRatio;
    const was = this.degraded;
    if (!was && (fill >= ratio || this.dropTimes.length > 0)) this.degraded = true;
    else if (was && fill < ratio / 2 && this.dropTimes.length === 0) this.degraded = false;
    this.metrics.degraded.set(this.degraded ? 1 : 0);
    if (this.degraded && !was) {
      this.logger.warn({ fill: Number(fill.toFixed(3)), drops: this.dropTimes.length }, 'detection degraded: ingest cannot keep up');
      this.submit(this.selfAlert(now, fill));
    }
    try {
      this.alerts.tick(now);
      this.flows.tick(now);
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'housekeeping failed');
    }
  }

  /** Like Falco's dropped-events alert: the service says it is not seeing everything. */
  private selfAlert(now: number, fill: number): Finding {
    const entity = emptyEntity();
    entity.cluster = this.config.cluster;
    entity.node = this.config.node;
    entity.workload = 'peregrine';
    const queues = [...this.queues].map(([s, q]) => `${s}: ${q.queue.depth} queued (${(q.queue.stats().fill * 100).toFixed(0)} % full)`);
    return {
      id: `rules:degraded:${this.config.node}:${now}`,
      modality: 'rules',
      detector: 'self-monitor',
      modelVersion: PEREGRINE_VERSION,
      entity,
      windowStart: now - this.config.ingest.degradedDropWindowSeconds * 1000,
      windowEnd: now,
      score: fill,
      threshold: this.config.ingest.degradedRatio,
      severity: 'warning',
      title: 'detection degraded',
      evidence: { ...emptyEvidence(), keyEvents: [`${this.dropTimes.length} refused ingest requests in the last ${this.config.ingest.degradedDropWindowSeconds} s`, ...queues] },
      labels: { rule: 'detection_degraded' },
    };
  }

  status(): Record<string, unknown> {
    return {
      version: PEREGRINE_VERSION,
      node: this.config.node,
      uptimeSeconds: Math.round((this.now() - this.startedAt) / 1000),
      ready: this.ready,
      degraded: this.degraded,
      response: this.response !== null,
      queues: Object.fromEntries([...this.queues].map(([s, q]) => [s, q.queue.stats()])),
      flows: { model: this.flows.model(), loadError: this.flows.loadError, scored: this.flows.flowsScored, unscored: this.flows.flowsUnscored },
      containers: this.runtime.containers,
      runtimeError: this.runtime.dead,
      agents: [...this.agents.values()],
      outbox: this.alerts.outboxStats(),
    };
  }

  /** Graceful stop: refuse new records, drain the queues, flush detection, the alert pipeline and SQLite. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.ready = false;
    for (const t of this.timers) clearInterval(t);
    this.stopTlsWatch?.();
    await this.busSub?.stop();
    for (const q of this.queues.values()) q.queue.close();
    const deadline = this.config.server.shutdownTimeoutSeconds * 1000;
    const drain = (async () => {
      await Promise.all(this.loops);
      this.flows.flush();
      this.flows.stop();
      await this.runtime.close();
      // (undefined when start failed before the alert pipeline was created)
      const alerts = this.alerts as AlertPipelineLike | undefined;
      alerts?.tick(this.now());
      await this.response?.close();
      await alerts?.close();
      await this.bus?.close();
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn('shutdown: drain timed out');
        resolve();
      }, deadline);
    });
    await Promise.race([drain, timeout]);
    clearTimeout(timer);
    await this.app?.close();
  }
}
