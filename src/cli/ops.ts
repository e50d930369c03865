import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../core/config.js';
import { ERROR_CATALOGUE, PeregrineError, type ErrorCode } from '../core/errors.js';
import { parseIsoTime } from './forensics.js';
import { parseNumber } from './common.js';
import { tlsFetch } from '../service/tls.js';

/**
 * Operator commands against a running service (its HTTP API, docs/api.md): `peregrine alerts stats | dead-letters |
 * redeliver` for the alert outbox and `peregrine response actions | audit | revert` for automated response. They go
 * through the service, never the SQLite files behind it, because the service owns those (its outbox workers and
 * response engine keep state in memory and hold the Kubernetes client).
 *
 * Where and as whom: --url (default http://127.0.0.1:<server.port>), --token, else the configured token
 * (PEREGRINE_TOKEN / PEREGRINE_TOKEN_FILE / --config), else the token `peregrine serve` generated in its data dir.
 */

interface ClientOptions {
  url?: string;
  token?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  config?: string;
  dataDir?: string;
  json?: boolean;
}

function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'the service (default http://127.0.0.1:<server.port>)')
    .option('--token <token>', 'bearer token (default: PEREGRINE_TOKEN / PEREGRINE_TOKEN_FILE, else <data dir>/token)')
    .option('--config <file>', 'YAML config the service runs with (for its port, token and data dir)')
    .option('--data-dir <dir>', 'the service data dir (where `peregrine serve` keeps its generated token)')
    .option('--cacert <file>', 'https: trust this CA (PEM) besides the system ones')
    .option('--cert <file>', 'https with mutual TLS: client certificate (PEM)')
    .option('--key <file>', 'https with mutual TLS: client private key (PEM)')
    .option('--json', 'print the service answer as JSON');
}

/** The service URL and token for these options. */
export function endpoint(o: ClientOptions, env: NodeJS.ProcessEnv = process.env): { url: string; token: string } {
  const overrides = o.dataDir !== undefined ? [{ path: ['dataDir'], value: o.dataDir, source: '--data-dir' }] : [];
  const config = loadConfig({ file: o.config, env, overrides });
  const url = (o.url ?? env.PEREGRINE_URL ?? `http://127.0.0.1:${config.server.port}`).replace(/\/+$/, '');
  let token = o.token ?? config.auth.tokens[0];
  const file = join(config.dataDir, 'token');
  if (!token && existsSync(file)) token = readFileSync(file, 'utf8').trim();
  if (!token) {
    throw new PeregrineError('PGN_ERR_USAGE', 'no service token', {
      where: '--token',
      hint: `pass --token, set PEREGRINE_TOKEN, or point --data-dir at the folder where peregrine serve keeps its token (looked in ${file})`,
    });
  }
  return { url, token };
}

/** One API call; service errors come back as PeregrineErrors with the service's code (one line, exit code by code). */
export async function callService(o: ClientOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const { url, token } = endpoint(o);
  if ((o.cert === undefined) !== (o.key === undefined)) throw new PeregrineError('PGN_ERR_USAGE', '--cert and --key go together', { where: o.cert === undefined ? '--cert' : '--key' });
  const names = { caFile: '--cacert', certFile: '--cert', keyFile: '--key' } as const;
  const f = tlsFetch({ caFile: o.cacert ?? '', certFile: o.cert ?? '', keyFile: o.key ?? '' }, (k) => names[k]);
  let res: Response;
  try {
    res = await f(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new PeregrineError('PGN_ERR_UNAVAILABLE', `cannot reach the Peregrine service at ${url} (${cause})`, { hint: 'start it (peregrine serve) or pass --url' });
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    const code = err?.code && err.code in ERROR_CATALOGUE ? (err.code as ErrorCode) : 'PGN_ERR_INTERNAL';
    throw new PeregrineError(code, `the service answered ${res.status} to ${method} ${path}: ${err?.message ?? text.slice(0, 200)}`, { where: url });
  }
  if (parsed === null || typeof parsed !== 'object') throw new PeregrineError('PGN_ERR_INTERNAL', `the service answered ${method} ${path} with something other than JSON`, { where: url });
  return parsed as Record<string, unknown>;
}

const print = (s: string): void => void process.stdout.write(s + '\n');
const iso = (ms: unknown) => (typeof ms === 'number' && ms > 0 ? new Date(ms).toISOString() : '-');

interface SinkStats {
  pending: number;
  retrying: number;
  delivered: number;
  dead: number;
  lastError: string | null;
}

export function alertsCommand(): Command {
  const cmd = new Command('alerts').description('the alert outbox of a running service: delivery stats, dead letters, redelivery');
  cmd.addCommand(
    withClientOptions(new Command('stats').description('per sink: pending, retrying, delivered and dead-lettered notifications, last error')).action(async (o: ClientOptions) => {
      const r = await callService(o, 'GET', '/api/alerts/outbox');
      if (o.json) return print(JSON.stringify(r));
      const out = r.outbox as { pending: number; delivered: number; deadLettered: number; bySink: Record<string, SinkStats> };
      print(`pending ${out.pending}, delivered ${out.delivered}, dead letters ${out.deadLettered}`);
      for (const [name, s] of Object.entries(out.bySink)) {
        print(`  ${name.padEnd(16)} pending ${s.pending} (retrying ${s.retrying}), delivered ${s.delivered}, dead ${s.dead}${s.lastError ? `, last error: ${s.lastError}` : ''}`);
      }
    }),
  );
  cmd.addCommand(
    withClientOptions(new Command('dead-letters').description('notifications that could not be delivered, newest first, with the reason'))
      .option('--sink <name>', 'only this sink')
      .option('--limit <n>', 'at most N', parseNumber('--limit', { integer: true, min: 1, max: 10_000 }), 50)
      .action(async (o: ClientOptions & { sink?: string; limit: number }) => {
        const q = new URLSearchParams({ limit: String(o.limit), ...(o.sink ? { sink: o.sink } : {}) });
        const r = await callService(o, 'GET', `/api/alerts/dead-letters?${q.toString()}`);
        if (o.json) return print(JSON.stringify(r));
        const rows = r.deadLetters as { seq: number; sink: string; change: string; alertId: string; attempts: number; httpStatus: number | null; deadAt: number; reason: string }[];
        if (rows.length === 0) return print('no dead letters');
        print('SEQ      DEAD AT                   SINK             CHANGE     ATTEMPTS  HTTP  ALERT / REASON');
        for (const d of rows) {
          print(`${String(d.seq).padEnd(8)} ${iso(d.deadAt).padEnd(25)} ${d.sink.padEnd(16)} ${String(d.change).padEnd(10)} ${String(d.attempts).padEnd(9)} ${String(d.httpStatus ?? '-').padEnd(5)} ${d.alertId}: ${d.reason}`);
        }
        print(`redeliver after fixing the sink: peregrine alerts redeliver ${rows.map((d) => d.seq).slice(0, 5).join(' ')}${rows.length > 5 ? ' ...' : ''}`);
      }),
  );
  cmd.addCommand(
    withClientOptions(new Command('redeliver').description('queue dead letters again (after fixing the sink), by sequence number').argument('<seq...>', 'dead-letter sequence numbers (peregrine alerts dead-letters)')).action(
      async (seqArgs: string[], o: ClientOptions) => {
        const seqs = seqArgs.map((s) => parseNumber('seq', { integer: true, min: 1 })(s));
        const r = await callService(o, 'POST', '/api/admin/alerts/redeliver', { seqs });
        if (o.json) return print(JSON.stringify(r));
        print(`queued ${String(r.requeued)} of ${String(r.requested)} dead letters again${r.requeued !== r.requested ? ' (the others were not found: already redelivered or pruned)' : ''}`);
      },
    ),
  );
  return cmd;
}

interface ActionView {
  id: string;
  action: string;
  state: string;
  namespace: string;
  target: string;
  alertId: string;
  createdAt: number;
  expiresAt: number | null;
  dryRun?: boolean;
}

interface AuditView {
  at: number;
  trigger: string;
  decision: string;
  action: string;
  namespace: string;
  target: string;
  result: string;
  rule: string;
  reason: string;
  alertId: string;
}

export function responseCommand(): Command {
  const cmd = new Command('response').description('automated response of a running service: actions, the decision audit, manual revert');
  cmd.addCommand(
    withClientOptions(new Command('actions').description('response actions (quarantine policies, scale-downs, quota clamps), newest first')).action(async (o: ClientOptions) => {
      const r = await callService(o, 'GET', '/api/actions');
      if (o.json) return print(JSON.stringify(r));
      if (!r.enabled) return print('automated response is not enabled on this service (response.enabled)');
      const rows = r.actions as ActionView[];
      if (rows.length === 0) return print('no actions');
      for (const a of rows) {
        print(`${a.id}  ${a.state.padEnd(9)} ${a.action.padEnd(10)} ${a.namespace}/${a.target}  alert ${a.alertId}  since ${iso(a.createdAt)}${a.expiresAt ? `  expires ${iso(a.expiresAt)}` : ''}`);
      }
    }),
  );
  cmd.addCommand(
    withClientOptions(new Command('audit').description('the decision audit (act / skip / deny, executions, reverts), newest first'))
      .option('--alert <id>', 'only this alert')
      .option('--namespace <ns>', 'only this namespace')
      .option('--decision <d>', 'act, skip or deny')
      .option('--since <iso>', 'from this time on (ISO 8601)', parseIsoTime('--since'))
      .option('--limit <n>', 'at most N', parseNumber('--limit', { integer: true, min: 1, max: 10_000 }), 50)
      .action(async (o: ClientOptions & { alert?: string; namespace?: string; decision?: string; since?: number; limit: number }) => {
        const q = new URLSearchParams({ limit: String(o.limit) });
        if (o.alert) q.set('alertId', o.alert);
        if (o.namespace) q.set('namespace', o.namespace);
        if (o.decision) q.set('decision', o.decision);
        if (o.since !== undefined) q.set('since', new Date(o.since).toISOString());
        const r = await callService(o, 'GET', `/api/response/audit?${q.toString()}`);
        if (o.json) return print(JSON.stringify(r));
        if (!r.enabled) return print('automated response is not enabled on this service (response.enabled)');
        const rows = r.records as AuditView[];
        if (rows.length === 0) return print('no audit records');
        for (const a of rows) {
          print(`${iso(a.at)}  ${a.decision.padEnd(4)} ${a.result.padEnd(8)} ${a.action.padEnd(10)} ${a.namespace}/${a.target}  ${a.trigger} ${a.alertId}  [${a.rule}] ${a.reason}`);
        }
      }),
  );
  cmd.addCommand(
    withClientOptions(new Command('revert').description('undo one response action now (recorded in the audit as trigger "manual")').argument('<action-id>', 'the action id (peregrine response actions)')).action(
      async (id: string, o: ClientOptions) => {
        const r = await callService(o, 'POST', '/api/admin/response/revert', { actionId: id });
        if (o.json) return print(JSON.stringify(r));
        const a = r.action as ActionView;
        print(`${a.id}: ${a.state} (${a.action} on ${a.namespace}/${a.target})`);
      },
    ),
  );
  return cmd;
}
