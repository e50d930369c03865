import { sinks, type SinkFactory } from '../sink.js';
import { sqliteSchema, type SqliteOptions } from './options.js';
import { SqliteSink } from './sqlite.js';

export const sqliteFactory: SinkFactory<SqliteOptions> = {
  type: 'sqlite',
  description: 'embedded SQLite store (the default): WAL, transactional batches, queryable with `peregrine forensics query`',
  schema: sqliteSchema,
  idempotent: true,
  create: (options) => new SqliteSink(options),
};

sinks.register(sqliteFactory);
export { SqliteSink };
