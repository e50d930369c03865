/**
 * The runtime pipeline in a worker thread. Its work is synchronous in bursts (VAE training and scoring when an
 * interval closes, full forensic logs serialised and written to SQLite for unstable containers) and would stall
 * the HTTP event loop for seconds; in a worker, ingest keeps answering in milliseconds while detection runs on the
 * other core. Messages: see RuntimeWorkerClient (runtime-client.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { PeregrineConfig } from '../../core/config.js';
import type { StreamRecords } from '../ingest/source.js';
import { RuntimeDetector } from './runtime.js';
import { runtimeStatus, type StatusQuery } from './runtime-status.js';

type Msg =
  | { type: 'start'; id: number }
  | { type: 'batch'; id: number; records: Array<StreamRecords['syscalls']> }
  | { type: 'status'; id: number; query: StatusQuery }
  | { type: 'reload'; id: number }
  | { type: 'close'; id: number };

const port = parentPort;
if (!port) throw new Error('runtime-worker.js runs as a worker thread');
const { config, logLevel } = workerData as { config: PeregrineConfig; logLevel: string };
const logger = pino({ level: logLevel, base: { service: 'peregrine-hub', component: 'runtime' } });
let scores: number[] = [];
const detector = new RuntimeDetector({
  config,
  logger,
  emit: (finding) => port.postMessage({ type: 'finding', finding }),
  onScore: (r) => scores.push(r),
  onModel: (group, version, previous) => port.postMessage({ type: 'model', group, version, previous }),
});

const flushScores = (): void => {
  if (scores.length === 0) return;
  port.postMessage({ type: 'scores', values: scores });
  scores = [];
};

port.on('message', (m: Msg) => {
  void (async () => {
    try {
      if (m.type === 'start') {
        const models = await detector.start();
        port.postMessage({ type: 'reply', id: m.id, data: { models: models.length } });
      } else if (m.type === 'batch') {
        await detector.process(m.records);
        flushScores();
        port.postMessage({ type: 'reply', id: m.id, data: { containers: detector.evidence.size } });
      } else if (m.type === 'status') {
        port.postMessage({ type: 'reply', id: m.id, data: runtimeStatus(detector, m.query) });
      } else if (m.type === 'reload') {
        port.postMessage({ type: 'reply', id: m.id, data: { changed: await detector.reload() } });
      } else if (m.type === 'close') {
        await detector.close();
        flushScores();
        port.postMessage({ type: 'reply', id: m.id, data: {} });
      }
    } catch (e) {
      port.postMessage({ type: 'reply', id: m.id, error: (e as Error).message });
    }
  })();
});
