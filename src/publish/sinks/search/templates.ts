/**
 * Index names and index templates of the Elasticsearch / OpenSearch sinks. Indices are daily by the record's
 * interval start (UTC), so a retried record always lands in the same index and its id stays unique there.
 */

export type Flavor = 'elasticsearch' | 'opensearch';

/** Bumped when the mappings change: an older template on the server is replaced, a current one left alone. */
export const TEMPLATE_VERSION = 1;

export function indexDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}.${p(d.getUTCMonth() + 1)}.${p(d.getUTCDate())}`;
}

export function indexName(prefix: string, kind: 'summary' | 'event', intervalStart: number, daily: boolean): string {
  const base = `${prefix}-${kind === 'summary' ? 'summaries' : 'events'}`;
  return daily ? `${base}-${indexDate(intervalStart)}` : base;
}

export interface TemplateOptions {
  indexPrefix: string;
  shards?: number;
  replicas?: number;
}

export interface IndexTemplate {
  name: string;
  body: {
    index_patterns: string[];
    priority: number;
    template: { settings?: Record<string, unknown>; mappings: Record<string, unknown> };
    _meta: { managed_by: 'peregrine'; peregrine_template_version: number };
  };
}

const epochMillis = { type: 'date', format: 'epoch_millis' };

/** The two index templates (summaries, events) for a flavor: the free-form `counts` map is `flattened` in
 *  Elasticsearch and `flat_object` in OpenSearch (2.7+). */
export function indexTemplates(flavor: Flavor, o: TemplateOptions): IndexTemplate[] {
  const settings: Record<string, unknown> = {};
  if (o.shards !== undefined) settings.number_of_shards = o.shards;
  if (o.replicas !== undefined) settings.number_of_replicas = o.replicas;
  const common = {
    '@timestamp': { type: 'date' },
    kind: { type: 'keyword' },
    containerId: { type: 'keyword' },
    group: { type: 'keyword' },
    intervalStart: epochMillis,
    intervalEnd: epochMillis,
  };
  const summaries = {
    ...common,
    score: { type: 'double' },
    threshold: { type: 'double' },
    unstable: { type: 'boolean' },
    eventCount: { type: 'long' },
    counts: { type: flavor === 'elasticsearch' ? 'flattened' : 'flat_object' },
    latentMean: { type: 'float' },
    latentVar: { type: 'float' },
    modelVersion: { type: 'keyword' },
    fullLog: { type: 'boolean' },
    contextIntervals: { type: 'integer' },
    droppedEvents: { type: 'long' },
  };
  const events = {
    ...common,
    offset: { type: 'integer' },
    timeNs: { type: 'long' },
    reason: { type: 'keyword' },
    line: { type: 'text' },
  };
  const make = (kind: 'summaries' | 'events', properties: Record<string, unknown>): IndexTemplate => ({
    name: `${o.indexPrefix}-${kind}`,
    body: {
      index_patterns: [`${o.indexPrefix}-${kind}*`],
      priority: 200,
      template: {
        ...(Object.keys(settings).length > 0 ? { settings } : {}),
        mappings: { dynamic: false, properties },
      },
      _meta: { managed_by: 'peregrine', peregrine_template_version: TEMPLATE_VERSION },
    },
  });
  return [make('summaries', summaries), make('events', events)];
}
