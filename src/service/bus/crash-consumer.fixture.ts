/**
 * Child process for the NATS crash test: consumes the durable consumer and prints `done <msgId>` after each
 * handler finishes. The test SIGKILLs it mid-stream, so whatever it held un-acked must come back to the next
 * consumer. Usage: node crash-consumer.fixture.js URL STREAM DURABLE HANDLER_MS
 */
import { parseBusConfig } from './options.js';
import { NatsBus } from './nats.js';

const [url, stream, durable, handlerMs] = process.argv.slice(2);
const bus = await NatsBus.connect(parseBusConfig({ kind: 'nats', url, stream, subjects: ['peregrine.findings.>'], ackWaitSeconds: 1, maxInFlight: 8 }));
await bus.consume(durable, 'peregrine.findings.>', async (m) => {
  await new Promise((r) => setTimeout(r, Number(handlerMs)));
  process.stdout.write(`done ${m.msgId}\n`);
});
process.stdout.write('ready\n');
