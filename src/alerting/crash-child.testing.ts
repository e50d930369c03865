import { Registry } from 'prom-client';
import { AlertPipeline } from './pipeline.js';
import { makeFinding } from './testing.js';

/**
 * Child process for the crash test (outbox.test.ts): submits findings while the sink is failing, says so on stdout,
 * then waits to be SIGKILLed. Args: dataDir receiverUrl count.
 */
const [dataDir, url, count] = process.argv.slice(2);
const p = new AlertPipeline({
  config: { groupWaitSeconds: 0, retry: { baseMs: 20, maxMs: 100 }, sinks: [{ type: 'webhook', url: `${url}/hook`, maxBatch: 3 }] },
  dataDir,
  registry: new Registry(),
});
await p.start();
for (let i = 0; i < Number(count); i++) p.submit(makeFinding({ id: `crash-${i}`, workload: `w${i}` }));
process.stdout.write(`submitted ${p.outboxStats().pending}\n`);
setInterval(() => p.tick(), 100);
