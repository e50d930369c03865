/**
 * The service configuration: one zod schema (camelCase keys, unit suffixes), read from a YAML file (`--config`)
 * plus environment overrides. Precedence, lowest first: schema defaults < YAML file < PEREGRINE_<SECTION>__<KEY>
 * variables < the named variables (PEREGRINE_PORT, PEREGRINE_DATA_DIR, PEREGRINE_TOKEN[_FILE]) < command-line flags.
 * A validation error is one line naming the key path and the file (or variable) it came from.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PeregrineError } from './errors.js';
import { busConfigSchema } from '../service/bus/options.js';
import { alertingSection, responseSection } from '../service/sections.js';

const port = z.number().int().min(0).max(65535);

export const serverSchema = z.strictObject({
  /** TCP port (0 = any free port, printed at start). */
  port: port.default(8080),
  host: z.string().min(1).default('0.0.0.0'),
  /** Largest accepted request body; bigger ones get 413. */
  bodyLimitBytes: z.number().int().min(1024).default(8 * 1024 * 1024),
  /** Deepest JSON nesting accepted in a record (objects + arrays). */
  maxJsonDepth: z.number().int().min(2).max(1000).default(32),
  /** Largest single line / record in an NDJSON or CSV body. */
  maxRecordBytes: z.number().int().min(256).default(1024 * 1024),
  /** Requests that take longer are aborted. */
  requestTimeoutSeconds: z.number().positive().default(30),
  /** Shutdown: how long draining queues and flushing may take before the process exits anyway. */
  shutdownTimeoutSeconds: z.number().positive().default(20),
  /** Serve the dashboard (web/) at `/`. */
  dashboard: z.boolean().default(true),
  /**
   * HTTPS: PEM certificate chain and private key (both or neither); `clientCaFile` (PEM) turns on mutual TLS: every
   * token route then also needs a client certificate signed by that CA (probes and /metrics stay open). The files
   * are re-read when they change (certificate rotation without a restart).
   */
  tls: z
    .strictObject({
      certFile: z.string().default(''),
      keyFile: z.string().default(''),
      clientCaFile: z.string().default(''),
    })
    .default({ certFile: '', keyFile: '', clientCaFile: '' })
    .refine((t) => (t.certFile === '') === (t.keyFile === ''), { message: 'set both certFile and keyFile, or neither', path: ['certFile'] })
    .refine((t) => t.clientCaFile === '' || t.certFile !== '', { message: 'clientCaFile (mutual TLS) needs certFile and keyFile', path: ['clientCaFile'] }),
});

export const authSchema = z.strictObject({
  /**
   * Bearer tokens accepted on every ingest, action, admin and /api route. Prefer PEREGRINE_TOKEN or
   * PEREGRINE_TOKEN_FILE (a mounted Secret) to writing them here. Empty = a random token is generated at start.
   */
  tokens: z.array(z.string().min(16, 'tokens must be at least 16 characters')).default([]),
});

export const ingestSchema = z.strictObject({
  /** Events buffered per source before ingest answers 429. */
  queueEvents: z.number().int().min(1).default(200_000),
  /** Bytes of raw records buffered per source before ingest answers 429 (the memory bound). */
  queueBytes: z.number().int().min(1024).default(64 * 1024 * 1024),
  /** Events taken from a queue per detection step. */
  batchEvents: z.number().int().min(1).default(1024),
  /** Retry-After (seconds) sent with 429/503. */
  retryAfterSeconds: z.number().int().min(1).default(1),
  /** Queue fill ratio above which the service reports itself degraded (self-alert, 503, /readyz). */
  degradedRatio: z.number().gt(0).max(1).default(0.9),
  /** Drops within this window that raise the "detection degraded" self-alert. */
  degradedDropWindowSeconds: z.number().positive().default(60),
});

export const flowDetectionSchema = z.strictObject({
  /** A model file written by `peregrine train` (flows); empty = flows are counted, not scored. */
  modelFile: z.string().default(''),
  /** Re-load the model when the file changes (hot swap; requests are never dropped). */
  watch: z.boolean().default(true),
  /** Window per endpoint pair (source IP -> destination IP:port/proto). */
  windowSeconds: z.number().positive().default(60),
  /** Anomalous flows in one window before a finding is raised for the pair. */
  minAnomalousFlows: z.number().int().min(1).default(3),
  /** Endpoint pairs kept open at once (oldest closed first beyond it). */
  maxPairs: z.number().int().min(1).default(50_000),
});

export const detectionSchema = z.strictObject({
  /** Activity-vector interval of the runtime path. */
  intervalSeconds: z.number().positive().default(30),
  /** Event-time lateness before an interval closes. */
  latenessSeconds: z.number().min(0).default(5),
  /** Baseline group: `image`, `workload` or `container`. */
  groupBy: z.enum(['image', 'workload', 'container']).default('image'),
  /** Vectors a group learns from before judging (N). */
  vectorsToTrain: z.number().int().min(2).default(20),
  /** r_th = r_mean + k * r_sd. */
  k: z.number().min(0).default(3),
  /** VAE epochs. */
  epochs: z.number().int().min(1).default(100),
  seed: z.number().int().default(0),
  /** Hysteresis: a container raises a finding when `openAfterIntervals` of its last `windowIntervals` are unstable. */
  hysteresis: z
    .strictObject({
      openAfterIntervals: z.number().int().min(1).default(2),
      windowIntervals: z.number().int().min(1).default(3),
      /** Stable intervals in a row before the container may raise again. */
      closeAfterIntervals: z.number().int().min(1).default(3),
    })
    .default({ openAfterIntervals: 2, windowIntervals: 3, closeAfterIntervals: 3 }),
  /** Model registry folder (runtime VAEs); default `<dataDir>/models`. */
  modelDir: z.string().default(''),
  /** Forensic store: `sqlite` under the data dir (default) or `none`. */
  forensics: z.enum(['sqlite', 'none']).default('sqlite'),
  /** Forensic context: previous intervals of raw events kept per container, shipped when it turns unstable (K). */
  contextIntervals: z.number().int().min(0).max(100).default(3),
  /**
   * Byte cap of one container's forensic context (oldest events dropped first). The largest memory item of the
   * hub: at most containers x this (50 x 1 MiB = 50 MiB).
   */
  contextMaxBytes: z.number().int().min(1024).default(1024 * 1024),
  /** Recent events kept per container for evidence (key events, lineage). */
  evidenceEvents: z.number().int().min(1).default(64),
  flows: flowDetectionSchema.default(flowDetectionSchema.parse({})),
});

export const configSchema = z.strictObject({
  /** Working data (models, forensics, alerts, outbox); default ./peregrine-data. */
  dataDir: z.string().default(''),
  /** Cluster name put on every finding. */
  cluster: z.string().default(''),
  /** Node name of this process (agents); default the host name. */
  node: z.string().default(''),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  server: serverSchema.default(serverSchema.parse({})),
  auth: authSchema.default(authSchema.parse({})),
  ingest: ingestSchema.default(ingestSchema.parse({})),
  detection: detectionSchema.default(detectionSchema.parse({})),
  alerting: alertingSection,
  response: responseSection,
  bus: busConfigSchema.optional(),
  agent: z
    .strictObject({
      /** Hub base URL, e.g. http://peregrine-hub:8080. */
      hubUrl: z.string().default('http://127.0.0.1:8080'),
      /** Findings per POST /ingest/findings. */
      batchFindings: z.number().int().min(1).default(100),
      /** How often the agent asks the hub for new models and sends its summary. */
      syncSeconds: z.number().positive().default(30),
      /** `http` (default) or `bus` (the NATS transport in `bus`). */
      transport: z.enum(['http', 'bus']).default('http'),
      /**
       * For an https hubUrl: `caFile` (PEM) trusts a private CA besides the system ones; `certFile` + `keyFile` (PEM)
       * are the client certificate a hub with mutual TLS asks for.
       */
      tls: z
        .strictObject({ caFile: z.string().default(''), certFile: z.string().default(''), keyFile: z.string().default('') })
        .default({ caFile: '', certFile: '', keyFile: '' })
        .refine((t) => (t.certFile === '') === (t.keyFile === ''), { message: 'set both certFile and keyFile, or neither', path: ['certFile'] }),
    })
    .default({ hubUrl: 'http://127.0.0.1:8080', batchFindings: 100, syncSeconds: 30, transport: 'http', tls: { caFile: '', certFile: '', keyFile: '' } }),
});

export type PeregrineConfig = z.infer<typeof configSchema>;
export type PeregrineConfigInput = z.input<typeof configSchema>;

export interface LoadConfigOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Applied last (command-line flags). */
  overrides?: Array<{ path: string[]; value: unknown; source: string }>;
  cwd?: string;
}

/** Named variables (the documented contract) -> key path. */
const NAMED_ENV: Record<string, string[]> = {
  PEREGRINE_PORT: ['server', 'port'],
  PEREGRINE_HOST: ['server', 'host'],
  PEREGRINE_DATA_DIR: ['dataDir'],
  PEREGRINE_LOG_LEVEL: ['logLevel'],
  PEREGRINE_CLUSTER: ['cluster'],
  PEREGRINE_NODE: ['node'],
  PEREGRINE_HUB_URL: ['agent', 'hubUrl'],
  PEREGRINE_TLS_CERT_FILE: ['server', 'tls', 'certFile'],
  PEREGRINE_TLS_KEY_FILE: ['server', 'tls', 'keyFile'],
  PEREGRINE_TLS_CLIENT_CA_FILE: ['server', 'tls', 'clientCaFile'],
  PEREGRINE_HUB_CA_FILE: ['agent', 'tls', 'caFile'],
  PEREGRINE_CLIENT_CERT_FILE: ['agent', 'tls', 'certFile'],
  PEREGRINE_CLIENT_KEY_FILE: ['agent', 'tls', 'keyFile'],
};

/** Environment values are strings; numbers, booleans and JSON arrays/objects are parsed when they look like one. */
export function envValue(raw: string): unknown {
  const t = raw.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t !== '' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

/** PEREGRINE_DETECTION__FLOWS__MODEL_FILE -> ['detection', 'flows', 'modelFile']. */
export function envPath(name: string): string[] | null {
  if (!name.startsWith('PEREGRINE_') || !name.includes('__')) return null;
  const parts = name.slice('PEREGRINE_'.length).split('__');
  if (parts.some((p) => p === '')) return null;
  return parts.map((p) => p.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function setPath(target: Record<string, unknown>, path: string[], value: unknown, source: string): void {
  let o = target;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i];
    if (UNSAFE_KEYS.has(k)) throw badKey(path, source);
    const next = o[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (UNSAFE_KEYS.has(last)) throw badKey(path, source);
  o[last] = value;
}

const badKey = (path: string[], source: string): PeregrineError =>
  new PeregrineError('PGN_ERR_BAD_PARAM', `invalid config key ${path.join('.')}`, { where: source });

/** Reads, merges and validates the configuration. Errors are PGN_ERR_BAD_PARAM (one line) or PGN_ERR_FILE_NOT_FOUND. */
export function loadConfig(opts: LoadConfigOptions = {}): PeregrineConfig {
  const env = opts.env ?? process.env;
  const sources = new Map<string, string>();
  let raw: Record<string, unknown> = {};
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new PeregrineError(code === 'ENOENT' ? 'PGN_ERR_FILE_NOT_FOUND' : 'PGN_ERR_IO', `cannot read the config file: ${(e as Error).message}`, { where: opts.file });
    }
    let doc: unknown;
    try {
      doc = parseYaml(text, { maxAliasCount: 100 }) ?? {};
    } catch (e) {
      const pos = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
      throw new PeregrineError('PGN_ERR_BAD_PARAM', `the config file is not valid YAML: ${(e as Error).message.split('\n')[0]}`, {
        where: pos ? `${opts.file}:${pos}` : opts.file,
      });
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new PeregrineError('PGN_ERR_BAD_PARAM', 'the config file must hold a YAML mapping (server:, auth:, ...)', { where: opts.file });
    }
    raw = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
    checkKeys(raw, [], opts.file);
  }
  const apply = (path: string[], value: unknown, source: string): void => {
    setPath(raw, path, value, source);
    sources.set(path.join('.'), source);
  };
  for (const name of Object.keys(env).sort()) {
    const path = envPath(name);
    if (path) apply(path, envValue(env[name] ?? ''), name);
  }
  for (const [name, path] of Object.entries(NAMED_ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') apply(path, envValue(v), name);
  }
  const tokens = envTokens(env);
  if (tokens.length > 0) apply(['auth', 'tokens'], tokens, env.PEREGRINE_TOKEN_FILE ? 'PEREGRINE_TOKEN_FILE' : 'PEREGRINE_TOKEN');
  for (const o of opts.overrides ?? []) apply(o.path, o.value, o.source);
  const r = configSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys ?? [] : [];
    const path = [...issue.path.map(String), ...(keys.length > 0 ? [keys[0]] : [])];
    const key = path.join('.') || '(root)';
    let src = opts.file ?? 'defaults';
    for (let i = path.length; i > 0; i--) {
      const s = sources.get(path.slice(0, i).join('.'));
      if (s) {
        src = s;
        break;
      }
    }
    const what = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
    throw new PeregrineError('PGN_ERR_BAD_PARAM', `invalid config ${key}: ${what}`, { where: src, hint: 'see docs/config.md' });
  }
  const cfg = r.data;
  if (cfg.dataDir === '') cfg.dataDir = resolve(opts.cwd ?? process.cwd(), 'peregrine-data');
  return cfg;
}

/** PEREGRINE_TOKEN (comma-separated) or PEREGRINE_TOKEN_FILE (one token per line). Never logged. */
function envTokens(env: NodeJS.ProcessEnv): string[] {
  if (env.PEREGRINE_TOKEN_FILE) {
    let text: string;
    try {
      text = readFileSync(env.PEREGRINE_TOKEN_FILE, 'utf8');
    } catch (e) {
      throw new PeregrineError('PGN_ERR_FILE_NOT_FOUND', `cannot read the token file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
        where: 'PEREGRINE_TOKEN_FILE',
      });
    }
    return text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
  }
  return (env.PEREGRINE_TOKEN ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function checkKeys(o: unknown, path: string[], file: string): void {
  if (typeof o !== 'object' || o === null) return;
  for (const k of Object.keys(o)) {
    if (UNSAFE_KEYS.has(k)) throw badKey([...path, k], file);
    checkKeys((o as Record<string, unknown>)[k], [...path, k], file);
  }
}
