import { z } from 'zod';

/** Options shared by the Elasticsearch and OpenSearch sinks. */
export const searchSchema = z.strictObject({
  /** The cluster URL, e.g. https://es.example:9200. */
  node: z.url(),
  /** Indices are PREFIX-summaries-YYYY.MM.DD and PREFIX-events-YYYY.MM.DD (UTC day of the interval). */
  indexPrefix: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-"').default('peregrine-forensics'),
  /** Daily indices (the date suffix); off = one index per kind. */
  dailyIndices: z.boolean().default(true),
  /** Create the index templates on start when absent or older than this version. */
  manageTemplates: z.boolean().default(true),
  shards: z.number().int().min(1).optional(),
  replicas: z.number().int().min(0).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  /** Elasticsearch only: an API key (base64 id:key). */
  apiKey: z.string().optional(),
  /** PEM file of the CA that signed the cluster's certificate. */
  caFile: z.string().optional(),
  rejectUnauthorized: z.boolean().default(true),
  requestTimeoutMs: z.number().int().min(100).default(30_000),
});
export type SearchOptions = z.infer<typeof searchSchema>;

export const opensearchSchema = searchSchema.omit({ apiKey: true });
