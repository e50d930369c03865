import { readFileSync } from 'node:fs';
import type { ForensicRecord } from '../../types.js';
import type { SearchOptions } from '../search/options.js';
import type { DroppedDocument, SearchClientAdapter } from '../search/search-sink.js';
import type { IndexTemplate } from '../search/templates.js';

/** The adapter over the official OpenSearch client (@opensearch-project/opensearch), loaded on first use. */
export async function connectOpenSearch(o: SearchOptions): Promise<SearchClientAdapter> {
  const { Client } = await import('@opensearch-project/opensearch');
  const client = new Client({
    node: o.node,
    ...(o.username !== undefined ? { auth: { username: o.username, password: o.password ?? '' } } : {}),
    ssl: { rejectUnauthorized: o.rejectUnauthorized, ...(o.caFile ? { ca: readFileSync(o.caFile) } : {}) },
    maxRetries: 0,
    requestTimeout: o.requestTimeoutMs,
    sniffOnStart: false,
  });
  return {
    async bulk(batch, onDocument, onDrop) {
      await client.helpers.bulk<ForensicRecord>({
        datasource: batch as ForensicRecord[],
        onDocument: (r: ForensicRecord) => onDocument(r) as never,
        onDrop: (d) => onDrop(d as unknown as DroppedDocument),
        flushBytes: Number.MAX_SAFE_INTEGER,
        flushInterval: 2 ** 31 - 1,
        concurrency: 1,
        retries: 0,
        wait: 0,
      });
    },
    async templateVersion(name) {
      const res = await client.indices.getIndexTemplate({ name }, { ignore: [404] });
      if (res.statusCode === 404) return null;
      const body = res.body as { index_templates?: { index_template?: { _meta?: { peregrine_template_version?: number } } }[] };
      const t = body.index_templates?.[0]?.index_template;
      return t ? Number(t._meta?.peregrine_template_version ?? 0) : null;
    },
    async putTemplate(t: IndexTemplate) {
      await client.indices.putIndexTemplate({ name: t.name, body: t.body } as never);
    },
    async ping() {
      await client.ping();
    },
    async close() {
      await client.close();
    },
  };
}
