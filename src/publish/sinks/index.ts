/**
 * Every forensic sink, registered: importing this module runs each folder's `sinks.register(...)`.
 * Adding a sink = its own folder + one import line here.
 */
import './elasticsearch/index.js';
import './ndjson/index.js';
import './opensearch/index.js';
import './sqlite/index.js';

export { sinks, createSink, type SinkFactory, type SinkContext } from './sink.js';
