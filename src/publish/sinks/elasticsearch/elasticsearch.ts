import { readFileSync } from 'node:fs';
import type { ForensicRecord } from '../../types.js';
import type { SearchOptions } from '../search/options.js';
import type { DroppedDocument, SearchClientAdapter } from '../search/search-sink.js';
import type { IndexTemplate } from '../search/templates.js';

/**
 * The adapter over the official Elasticsearch client (@elastic/elasticsearch 8.x: it talks to Elasticsearch 8 and,
 * being forward compatible, 9; the 9.x client refuses 8.x servers). Loaded on first use, so commands that never
 * ship to Elasticsearch do not pay for it.
 */
export async function connectElasticsearch(o: SearchOptions): Promise<SearchClientAdapter> {
  const { Client } = await import('@elastic/elasticsearch');
  const auth = o.apiKey ? { apiKey: o.apiKey } : o.username !== undefined ? { username: o.username, password: o.password ?? '' } : undefined;
  const client = new Client({
    node: o.node,
    ...(auth ? { auth } : {}),
    tls: { rejectUnauthorized: o.rejectUnauthorized, ...(o.caFile ? { ca: readFileSync(o.caFile) } : {}) },
    maxRetries: 0,
    requestTimeout: o.requestTimeoutMs,
    compression: false,
    sniffOnStart: false,
  });
  return {
    async bulk(batch, onDocument, onDrop) {
      await client.helpers.bulk<ForensicRecord>({
        datasource: batch as ForensicRecord[],
        onDocument: (r) => onDocument(r) as never,
        onDrop: (d) => onDrop(d as unknown as DroppedDocument),
        flushBytes: Number.MAX_SAFE_INTEGER,
        flushInterval: 2 ** 31 - 1,
        concurrency: 1,
        retries: 0,
        wait: 0,
      });
    },
    async templateVersion(name) {
      const res = await client.indices.getIndexTemplate({ name }, { ignore: [404], meta: true });
      if (res.statusCode === 404) return null;
      const t = res.body.index_templates?.[0]?.index_template as { _meta?: { peregrine_template_version?: number } } | undefined;
      return t ? Number(t._meta?.peregrine_template_version ?? 0) : null;
    },
    async putTemplate(t: IndexTemplate) {
      await client.indices.putIndexTemplate({ name: t.name, body: t.body } as never);
    },
    async ping() {
      await client.ping(undefined, { meta: true });
    },
    async close() {
      await client.close();
    },
  };
}
