/**
 * The HTTP surface of the hub (fastify): POST /ingest/<source> for every registered source, probes, /metrics,
 * the dashboard shell under /ui/, the /api read routes and the admin routes. Every route except the probes,
 * /metrics and the dashboard shell needs `Authorization: Bearer <token>`. Errors are `{error: {code, message,
 * line?}}` with a stable code (docs/api.md).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { ServerTlsOptions } from './tls.js';
import { isOpenRoute, TokenCheck } from './auth.js';
import type { Hub } from './hub.js';
import { ingestSources } from './ingest/source.js';

/** The dashboard folder: `web/` at the package root, found by walking up from this module (dist/ or .build/). */
export function webRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'web', 'index.html'))) return join(dir, 'web');
    dir = dirname(dir);
  }
  return null;
}

const MODEL_FILE = /^[A-Za-z0-9._-]+\.v\d+\.model\.json$/;

/** A count query parameter: `def` when absent or not a number, else clamped to 1..max. */
function intParam(v: string | undefined, def: number, max: number): number {
  return Math.min(max, Math.max(1, Number(v) || def));
}

/** A client certificate was presented and verified against server.tls.clientCaFile. */
function clientCertVerified(socket: TLSSocket): boolean {
  if (!socket.authorized) return false;
  const cert = socket.getPeerCertificate();
  return cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
}

/** One field of a small JSON request body (admin routes); undefined when the body is not a JSON object. */
function jsonField(body: unknown, key: string): unknown {
  if (typeof body !== 'string' || body.length > 1_000_000) return undefined;
  try {
    const v = JSON.parse(body) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined;
  }
}

const sendError = (reply: FastifyReply, status: number, code: string, message: string): FastifyReply => reply.code(status).send({ error: { code, message } });

export async function buildServer(hub: Hub, tls: ServerTlsOptions | null = null): Promise<FastifyInstance> {
  const cfg = hub.config;
  const auth = new TokenCheck(cfg.auth.tokens);
  const app = Fastify({
    ...(tls ? { https: tls } : {}),
    logger: false,
    bodyLimit: cfg.server.bodyLimitBytes,
    requestTimeout: cfg.server.requestTimeoutSeconds * 1000,
    // Bodies are decoded by the ingest sources (size, depth and unsafe-key checks per record), never by a generic parser.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  app.addHook('onRoute', (r) => {
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) hub.routes.push({ method: m, url: r.url });
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: cfg.server.bodyLimitBytes }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?', 1)[0];
    if (isOpenRoute(req.method, path)) return;
    // Mutual TLS: the handshake asked for a client certificate; a route past the probes needs one that verified.
    // `authorized` alone is not enough: over TLS 1.3 a client that sends no certificate at all reads as authorized.
    if (tls?.requestCert && !clientCertVerified(req.raw.socket as TLSSocket)) {
      return sendError(reply, 401, 'PGN_ERR_UNAUTHORIZED', 'client certificate required (mutual TLS): present one signed by the CA in server.tls.clientCaFile');
    }
    if (!auth.check(req.headers.authorization)) {
      reply.header('WWW-Authenticate', 'Bearer realm="peregrine"');
      return sendError(reply, 401, 'PGN_ERR_UNAUTHORIZED', 'missing or wrong bearer token (Authorization: Bearer <token>)');
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    hub.metrics.requests.inc({ route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, 'PGN_ERR_BODY_TOO_LARGE', `request body larger than ${cfg.server.bodyLimitBytes} bytes`);
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, 'PGN_ERR_BAD_REQUEST', err.message);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) hub.logger.error({ err: err.message }, 'request failed');
    return sendError(reply, status, status === 500 ? 'PGN_ERR_INTERNAL' : 'PGN_ERR_BAD_REQUEST', status === 500 ? 'internal error' : err.message);
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'PGN_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?', 1)[0]}`));

  // ---- ingest: one route per registered source ----
  for (const source of ingestSources.all()) {
    app.post(`/ingest/${source.route}`, async (req, reply) => {
      const body = typeof req.body === 'string' ? req.body : '';
      if (body.trim() === '') return sendError(reply, 400, 'PGN_ERR_EMPTY_INPUT', 'empty request body');
      const r = hub.ingest(source.type, body, String(req.headers['content-type'] ?? ''));
      if (r.retryAfter !== undefined) reply.header('Retry-After', String(r.retryAfter));
      return reply.code(r.status).send(r.body);
    });
  }

  // ---- probes and metrics (open) ----
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ok = hub.ready && !hub.degraded && hub.runtime.dead === '';
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : hub.ready ? 'degraded' : 'starting' });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('Content-Type', hub.metrics.registry.contentType);
    return hub.metrics.registry.metrics();
  });

  // ---- dashboard shell (open; it calls /api with the user's token) ----
  const web = cfg.server.dashboard ? webRoot() : null;
  if (web) {
    await app.register(fastifyStatic, { root: web, prefix: '/ui/', index: ['index.html'] });
    app.get('/', async (_req, reply) => reply.redirect('/ui/'));
  }

  // ---- read API for the dashboard ----
  app.get('/api/status', async () => hub.status());
  app.get('/api/alerts', async (req) => {
    const q = req.query as { status?: string; limit?: string };
    const status = q.status === 'firing' || q.status === 'resolved' ? q.status : undefined;
    const limit = intParam(q.limit, 100, 1000);
    return { alerts: hub.alerts.list({ status, limit }) };
  });
  app.get('/api/alerts/:id', async (req, reply) => {
    const a = hub.alerts.get((req.params as { id: string }).id);
    return a ? { alert: a } : sendError(reply, 404, 'PGN_ERR_NOT_FOUND', 'no such alert');
  });
  app.get('/api/timelines', async (req) => {
    const q = req.query as { limit?: string; points?: string; container?: string };
    const limit = intParam(q.limit, 20, 200);
    const points = intParam(q.points, 120, 2000);
    const st = await hub.runtime.status({ limit, points, container: q.container });
    return {
      intervalSeconds: cfg.detection.intervalSeconds,
      timelines: st.timelines.map((t) => ({
        ...t,
        points: t.points.map((p) => ({ ...p, score: Number.isFinite(p.score) ? p.score : null, threshold: Number.isFinite(p.threshold) ? p.threshold : null })),
      })),
    };
  });
  app.get('/api/models', async () => {
    const st = await hub.runtime.status({ limit: 0 });
    return { runtime: st.models, learning: st.learning, problems: st.problems, flows: hub.flows.model(), agents: [...hub.agents.values()].map((a) => ({ node: a.node, models: a.models })) };
  });
  // runtime model files for agents (the registry verifies each file's checksum when it loads it)
  app.get('/api/models/runtime/files', async () => {
    const dir = hub.runtime.modelDir;
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => MODEL_FILE.test(f)) : [];
    return { files: files.map((name) => ({ name, bytes: statSync(join(dir, name)).size })) };
  });
  app.get('/api/models/runtime/files/:name', async (req, reply) => {
    const name = (req.params as { name: string }).name;
    if (!MODEL_FILE.test(name)) return sendError(reply, 400, 'PGN_ERR_BAD_REQUEST', 'not a model file name');
    const path = join(hub.runtime.modelDir, name);
    if (!existsSync(path)) return sendError(reply, 404, 'PGN_ERR_NOT_FOUND', 'no such model file');
    reply.header('content-type', 'application/json');
    return readFileSync(path, 'utf8');
  });
  app.get('/api/actions', async () => ({ actions: hub.response?.list() ?? [], enabled: hub.response !== null }));
  app.get('/api/alerts/outbox', async () => ({ outbox: hub.alerts.outboxStats() }));
  app.get('/api/alerts/dead-letters', async (req) => {
    const q = req.query as { sink?: string; limit?: string };
    return { deadLetters: hub.alerts.deadLetters({ sink: q.sink || undefined, limit: intParam(q.limit, 100, 10_000) }) };
  });
  app.get('/api/response/audit', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (q.decision !== undefined && !['act', 'skip', 'deny'].includes(q.decision)) return sendError(reply, 400, 'PGN_ERR_BAD_REQUEST', 'decision must be act, skip or deny');
    const since = q.since === undefined ? undefined : Date.parse(q.since);
    if (since !== undefined && !Number.isFinite(since)) return sendError(reply, 400, 'PGN_ERR_BAD_REQUEST', 'since must be an ISO 8601 time');
    const records = hub.response?.auditTrail.query({
      alertId: q.alertId || undefined,
      action: q.action || undefined,
      namespace: q.namespace || undefined,
      decision: q.decision as 'act' | 'skip' | 'deny' | undefined,
      since,
      limit: intParam(q.limit, 100, 10_000),
    });
    return { enabled: hub.response !== null, records: records ?? [] };
  });

  // ---- admin ----
  // Hot swap of every model: the per-image runtime models from the registry folder, and the flow model file.
  app.post('/api/admin/models/reload', async (_req, reply) => {
    try {
      const runtime = await hub.runtime.reload();
      const flows = cfg.detection.flows.modelFile === '' ? null : hub.flows.reload();
      return { runtime, flows };
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'PGN_ERR_MODEL_FORMAT';
      return sendError(reply, 422, code, `the new model did not load; the previous one stays in use: ${(e as Error).message}`);
    }
  });
  // Dead letters back into the outbox, after fixing the sink (body {"seqs": [N, ...]}).
  app.post('/api/admin/alerts/redeliver', async (req, reply) => {
    const seqs = jsonField(req.body, 'seqs');
    if (!Array.isArray(seqs) || seqs.length === 0 || !seqs.every((n) => Number.isInteger(n) && (n as number) > 0)) {
      return sendError(reply, 400, 'PGN_ERR_BAD_REQUEST', 'body must be {"seqs": [N, ...]}: dead-letter sequence numbers (GET /api/alerts/dead-letters)');
    }
    const requeued = hub.alerts.redeliver(seqs as number[]);
    return { requested: seqs.length, requeued };
  });
  // A human revert of one response action (body {"actionId": "..."}); the audit log records it as trigger "manual".
  app.post('/api/admin/response/revert', async (req, reply) => {
    const actionId = jsonField(req.body, 'actionId');
    if (typeof actionId !== 'string' || actionId === '') return sendError(reply, 400, 'PGN_ERR_BAD_REQUEST', 'body must be {"actionId": "..."} (GET /api/actions lists them)');
    if (!hub.response) return sendError(reply, 409, 'PGN_ERR_BAD_REQUEST', 'automated response is not enabled on this service');
    try {
      return { action: await hub.response.revert(actionId) };
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'PGN_ERR_BAD_PARAM') return sendError(reply, 400, 'PGN_ERR_BAD_REQUEST', (e as Error).message);
      throw e;
    }
  });
  app.get('/api/routes', async () => ({ routes: hub.routes }));
  return app;
}
