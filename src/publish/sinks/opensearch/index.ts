import { sinks, type SinkFactory } from '../sink.js';
import { opensearchSchema, type SearchOptions } from '../search/options.js';
import { SearchSink } from '../search/search-sink.js';
import { connectOpenSearch } from './opensearch.js';

export const opensearchFactory: SinkFactory<Omit<SearchOptions, 'apiKey'>> = {
  type: 'opensearch',
  description: 'OpenSearch 2.7+ through the official client bulk helper: index templates, idempotent ids, item-level retries',
  schema: opensearchSchema,
  idempotent: true,
  create: (options, context) => new SearchSink('opensearch', options, connectOpenSearch, context?.clock),
};

sinks.register(opensearchFactory);
