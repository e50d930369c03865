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
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
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

const sendError = (reply: FastifyReply, status: number, code: string, message: string): FastifyReply => reply.code(status).send({ error: { code, message } });

export async function buildServer(hub: Hub): Promise<FastifyInstance> {
  const cfg = hub.config;
  const auth = new TokenCheck(cfg.auth.tokens);
  const app = Fastify({
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
    const limit = Math.min(1000, Math.max(1, Number(q.limit) || 100));
    return { alerts: hub.alerts.list({ status, limit }) };
  });
  app.get('/api/alerts/:id', async (req, reply) => {
    const a = hub.alerts.get((req.params as { id: string }).id);
    return a ? { alert: a } : sendError(reply, 404, 'PGN_ERR_NOT_FOUND', 'no such alert');
  });
  app.get('/api/timelines', async (req) => {
    const q = req.query as { limit?: string; points?: string; container?: string };
    const limit = Math.min(200, Math.max(1, Number(q.limit) || 20));
    const points = Math.min(2000, Math.max(1, Number(q.points) || 120));
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
  app.get('/api/routes', async () => ({ routes: hub.routes }));
  return app;
}
