import { sinks, type SinkFactory } from '../sink.js';
import { searchSchema, type SearchOptions } from '../search/options.js';
import { SearchSink } from '../search/search-sink.js';
import { connectElasticsearch } from './elasticsearch.js';

export const elasticsearchFactory: SinkFactory<SearchOptions> = {
  type: 'elasticsearch',
  description: 'Elasticsearch 8/9 through the official client bulk helper: index templates, idempotent ids, item-level retries',
  schema: searchSchema,
  idempotent: true,
  create: (options, context) => new SearchSink('elasticsearch', options, connectElasticsearch, context?.clock),
};

sinks.register(elasticsearchFactory);
