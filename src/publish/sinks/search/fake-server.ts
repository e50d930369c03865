import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../../../testing/loopback-server.js';
import type { Flavor } from './templates.js';

/**
 * A FAKE Elasticsearch / OpenSearch server for tests, on 127.0.0.1 only. No real server can be installed where the
 * tests run (neither is packaged by the registries the machines reach), so this stands in for both: it records every
 * request (method, path, content type, exact body), answers `_bulk`, `_index_template` and `HEAD /` the way the real
 * APIs do (status codes, item-level results, error objects, the `x-elastic-product` header the Elasticsearch client
 * checks), keeps the documents it accepted by index and id (`create` of an existing id is a 409), and can be told to
 * fail: item-level 429/400/503, a top-level 429 with Retry-After, or going down and coming back on the same port.
 */

export interface FakeRequest {
  method: string;
  path: string;
  contentType: string;
  body: string;
}

export interface ItemFailure {
  status: number;
  type: string;
  reason: string;
}

/** What the next `_bulk` request gets (consumed in order; afterwards requests succeed). */
export type BulkScript =
  | { kind: 'top'; status: number; retryAfter?: string; type?: string; reason?: string }
  | { kind: 'items'; fail: Record<string, ItemFailure> }
  /** Store the documents, then cut the connection before answering (a lost acknowledgement). */
  | { kind: 'drop-response' };

export class FakeSearchServer extends LoopbackServer {
  readonly requests: FakeRequest[] = [];
  /** index -> id -> document source (parsed). */
  readonly indices = new Map<string, Map<string, unknown>>();
  /** How often each `index/id` was stored (must end at exactly 1). */
  readonly created = new Map<string, number>();
  readonly templates = new Map<string, unknown>();
  readonly bulkScript: BulkScript[] = [];
  /** Fail every `_index_template` request with this status (for example 403). */
  templateFailure: number | null = null;
  constructor(readonly flavor: Flavor) {
    super(1000);
  }

  bulkRequests(): FakeRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/_bulk'));
  }

  /** How often a document was stored under an index (1 = exactly once). */
  timesCreated(index: string, id: string): number {
    return this.created.get(`${index}/${id}`) ?? 0;
  }

  documentCount(): number {
    let n = 0;
    for (const m of this.indices.values()) n += m.size;
    return n;
  }

  private headers(): Record<string, string> {
    return this.flavor === 'elasticsearch'
      ? { 'content-type': 'application/vnd.elasticsearch+json;compatible-with=8', 'x-elastic-product': 'Elasticsearch' }
      : { 'content-type': 'application/json; charset=UTF-8' };
  }

  private reply(res: ServerResponse, status: number, body?: unknown, extra: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...this.headers(), ...extra, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  private error(res: ServerResponse, status: number, type: string, reason: string, extra: Record<string, string> = {}): void {
    this.reply(res, status, { error: { root_cause: [{ type, reason }], type, reason }, status }, extra);
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      this.requests.push({ method: req.method ?? '', path, contentType: String(req.headers['content-type'] ?? ''), body });
      try {
        this.route(req.method ?? 'GET', path, body, res);
      } catch (e) {
        this.error(res, 500, 'exception', (e as Error).message);
      }
    });
  }

  private route(method: string, path: string, body: string, res: ServerResponse): void {
    const url = new URL(path, 'http://fake');
    if (url.pathname === '/' && (method === 'HEAD' || method === 'GET')) {
      if (method === 'HEAD') return this.reply(res, 200);
      const version = this.flavor === 'elasticsearch' ? { number: '8.19.0', build_flavor: 'default' } : { distribution: 'opensearch', number: '2.19.0' };
      return this.reply(res, 200, { name: 'fake', cluster_name: 'fake', version, tagline: 'fake for tests' });
    }
    const tpl = /^\/_index_template\/([^/]+)$/.exec(url.pathname);
    if (tpl) {
      const name = decodeURIComponent(tpl[1]);
      if (this.templateFailure !== null) return this.error(res, this.templateFailure, 'security_exception', 'action [indices:admin/index_template/put] is unauthorized');
      if (method === 'GET') {
        const t = this.templates.get(name);
        if (!t) return this.error(res, 404, 'resource_not_found_exception', `index template matching [${name}] not found`);
        return this.reply(res, 200, { index_templates: [{ name, index_template: t }] });
      }
      if (method === 'PUT' || method === 'POST') {
        this.templates.set(name, JSON.parse(body));
        return this.reply(res, 200, { acknowledged: true });
      }
    }
    if (url.pathname === '/_bulk' && (method === 'POST' || method === 'PUT')) return this.bulk(body, res);
    this.error(res, 404, 'not_found', `no handler for ${method} ${url.pathname}`);
  }

  private bulk(body: string, res: ServerResponse): void {
    const script = this.bulkScript.shift();
    if (script?.kind === 'top') {
      const extra: Record<string, string> = script.retryAfter !== undefined ? { 'retry-after': script.retryAfter } : {};
      return this.error(res, script.status, script.type ?? 'es_rejected_execution_exception', script.reason ?? 'rejected execution of coordinating operation', extra);
    }
    const lines = body.split('\n');
    if (lines[lines.length - 1] !== '') return this.error(res, 400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
    lines.pop();
    const fail = script?.kind === 'items' ? script.fail : {};
    const items: unknown[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]) as Record<string, { _index: string; _id: string }>;
      const op = Object.keys(action)[0];
      const { _index, _id } = action[op];
      const f = fail[_id];
      const base = { _index, _id };
      if (f) {
        errors = true;
        items.push({ [op]: { ...base, status: f.status, error: { type: f.type, reason: f.reason, index: _index } } });
        continue;
      }
      let index = this.indices.get(_index);
      if (!index) this.indices.set(_index, (index = new Map()));
      if (op === 'create' && index.has(_id)) {
        errors = true;
        items.push({
          [op]: {
            ...base,
            status: 409,
            error: { type: 'version_conflict_engine_exception', reason: `[${_id}]: version conflict, document already exists (current version [1])`, index: _index },
          },
        });
        continue;
      }
      index.set(_id, JSON.parse(lines[i + 1]));
      const key = `${_index}/${_id}`;
      this.created.set(key, (this.created.get(key) ?? 0) + 1);
      items.push({ [op]: { ...base, _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: 0, _primary_term: 1, status: 201 } });
    }
    if (script?.kind === 'drop-response') {
      res.socket?.destroy();
      return;
    }
    this.reply(res, 200, { took: 1, errors, items });
  }
}
