import { sinks, type SinkFactory } from '../sink.js';
import { NdjsonSink } from './ndjson.js';
import { ndjsonSchema, type NdjsonOptions } from './options.js';

export const ndjsonFactory: SinkFactory<NdjsonOptions> = {
  type: 'ndjson',
  description: 'rotated NDJSON files (size/age rotation, optional gzip, retention by count)',
  schema: ndjsonSchema,
  idempotent: false,
  create: (options, context) => new NdjsonSink(options, context?.clock),
};

sinks.register(ndjsonFactory);
export { NdjsonSink };
