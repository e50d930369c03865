/**
 * Every alert sink, registered by importing its folder. Adding a sink: a new folder with `index.ts` calling
 * `registerSink`, and one line here.
 */
import './alertmanager/index.js';
import './slack/index.js';
import './pagerduty/index.js';
import './webhook/index.js';
import './email/index.js';

export * from './sink.js';
