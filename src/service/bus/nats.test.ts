import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parseBusConfig, type BusConfigInput } from './options.js';
import { NatsBus } from './nats.js';
import { NatsServer, natsServerBinary } from './nats-server.testing.js';
import type { BusMessage } from './types.js';
import { busConformance } from './conformance.testing.js';

const bin = natsServerBinary();
const skip = bin === null ? 'nats-server not on PATH (Debian package nats-server)' : false;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('NATS JetStream bus against a real nats-server', { skip }, () => {
  let server: NatsServer;
  const opened: NatsBus[] = [];
  const open = async (over: BusConfigInput = {}): Promise<NatsBus> => {
    const b = await NatsBus.connect(parseBusConfig({ kind: 'nats', url: server.url, ackWaitSeconds: 1, ...over }));
    opened.push(b);
    return b;
  };

  before(async () => {
    server = new NatsServer(bin!);
    await server.start();
  });
  after(async () => {
    for (const b of opened) await b.close().catch(() => undefined);
    await server.dispose();
  });

  busConformance((prefix) => open({ stream: prefix.toUpperCase(), subjects: [`${prefix}.>`] }));

  it('drops a msgId duplicate inside the duplicate window (server-side dedup)', async () => {
    const bus = await open({ stream: 'DEDUP', subjects: ['dedup.>'] });
    const a = await bus.publish('dedup.n1', { id: 1 }, { msgId: 'f-1' });
    const b = await bus.publish('dedup.n1', { id: 1 }, { msgId: 'f-1' });
    const c = await bus.publish('dedup.n1', { id: 2 }, { msgId: 'f-2' });
    assert.equal(a.duplicate, false);
    assert.equal(b.duplicate, true);
    assert.equal(b.seq, a.seq);
    assert.equal(c.duplicate, false);
    assert.equal((await bus.streamInfo()).messages, 2);
  });

  it('a consumer SIGKILLed mid-stream loses nothing: its un-acked messages go to the restarted consumer', async () => {
    const bus = await open({ stream: 'CRASH', subjects: ['peregrine.findings.>'] });
    const n = 200;
    for (let i = 0; i < n; i++) await bus.publish(`peregrine.findings.node-${i % 3}`, { i }, { msgId: `c-${i}` });
    const fixture = fileURLToPath(new URL('./crash-consumer.fixture.js', import.meta.url));
    const child = spawn(process.execPath, [fixture, server.url, 'CRASH', 'hub', '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const doneByChild = new Set<string>();
    let buf = '';
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.startsWith('done ')) doneByChild.add(l.slice(5));
    });
    let childExited = false;
    const exited = new Promise<void>((r) =>
      child.once('exit', () => {
        childExited = true;
        r();
      }),
    );
    await until(() => {
      if (childExited) throw new Error('the consumer child exited before it was killed');
      return doneByChild.size >= 40;
    }, 15000, 'child progress');
    child.kill('SIGKILL');
    await exited;
    assert.ok(doneByChild.size < n, 'killed mid-stream');

    const seen = new Map<string, BusMessage>();
    let redelivered = 0;
    const sub = await bus.consume('hub', 'peregrine.findings.>', async (m) => {
      if (m.deliveryCount > 1) redelivered++;
      seen.set(m.msgId, m);
    });
    await until(() => {
      for (let i = 0; i < n; i++) if (!seen.has(`c-${i}`) && !doneByChild.has(`c-${i}`)) return false;
      return true;
    }, 15000, 'every message processed');
    await sleep(200);
    await sub.stop();
    assert.ok(redelivered >= 1, 'what the killed consumer held was redelivered');
    const missing = Array.from({ length: n }, (_, i) => `c-${i}`).filter((id) => !seen.has(id) && !doneByChild.has(id));
    assert.deepEqual(missing, []);
    assert.equal((await bus.pending('hub')).ackPending, 0);
  });

  it('survives a nats-server restart: file-stored stream kept, client reconnects, consumer resumes', async () => {
    const bus = await open({ stream: 'RESTART', subjects: ['peregrine.summaries.>'] });
    const got = new Set<string>();
    const sub = await bus.consume('hub', 'peregrine.summaries.>', async (m) => {
      got.add(m.msgId);
    });
    for (let i = 0; i < 20; i++) await bus.publish('peregrine.summaries.n1', { i }, { msgId: `r-${i}` });
    await until(() => got.size >= 20, 5000, 'first half');
    await server.restart();
    // Publishing retries until the client has reconnected (the agent's outbox does the same).
    for (let i = 20; i < 40; i++) {
      for (let attempt = 0; ; attempt++) {
        try {
          await bus.publish('peregrine.summaries.n1', { i }, { msgId: `r-${i}` });
          break;
        } catch (e) {
          if (attempt > 100) throw e;
          await sleep(100);
        }
      }
    }
    await until(() => got.size >= 40, 15000, 'second half after restart');
    await sub.stop();
    assert.equal((await bus.streamInfo()).messages, 40, 'stream kept its messages across the restart');
  });

  it('close() returns while the server is down (shutdown never hangs on a lost connection)', async () => {
    const bus = await open({ stream: 'DOWN', subjects: ['down.>'] });
    await bus.consume('hub', 'down.>', async () => undefined);
    // The earlier tests' connections close while the server is still up (else each waits out the drain timeout).
    await Promise.all(opened.filter((b) => b !== bus).map((b) => b.close()));
    await server.stop('SIGKILL');
    const t0 = Date.now();
    await bus.close();
    assert.ok(Date.now() - t0 < 8000, `close took ${Date.now() - t0} ms`);
  });
});
