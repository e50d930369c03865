import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryBus } from './memory.js';
import { parseBusConfig, type BusConfigInput } from './options.js';
import { subjectMatches } from './types.js';
import { createBus, subjects, subjectToken } from './index.js';
import { PeregrineError } from '../../core/errors.js';
import { busConformance } from './conformance.testing.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const bus = (over: BusConfigInput = {}): MemoryBus => new MemoryBus(parseBusConfig({ nakDelayMs: 50, ...over }));

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('subject matching (NATS rules)', () => {
  it('handles literal tokens, * and >', () => {
    assert.ok(subjectMatches('peregrine.findings.>', 'peregrine.findings.node1'));
    assert.ok(subjectMatches('peregrine.findings.>', 'peregrine.findings.a.b'));
    assert.ok(!subjectMatches('peregrine.findings.>', 'peregrine.findings'));
    assert.ok(subjectMatches('peregrine.*.node1', 'peregrine.summaries.node1'));
    assert.ok(!subjectMatches('peregrine.*', 'peregrine.summaries.node1'));
    assert.ok(!subjectMatches('peregrine.findings.node1', 'peregrine.findings.node2'));
  });

  it('a literal filter matches exactly itself and `>` matches every longer subject (property)', () => {
    const token = fc.stringMatching(/^[a-z0-9_-]{1,6}$/);
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 5 }), fc.array(token, { minLength: 1, maxLength: 5 }), (a, b) => {
        const s = a.join('.');
        assert.equal(subjectMatches(s, b.join('.')), s === b.join('.'));
        assert.ok(subjectMatches(`${s}.>`, `${s}.${b.join('.')}`));
        assert.ok(subjectMatches(a.map(() => '*').join('.'), s));
      }),
    );
  });

  it('node names become safe subject tokens', () => {
    assert.equal(subjects.findings('ip-10-0-1-2.ec2.internal'), 'peregrine.findings.ip-10-0-1-2_ec2_internal');
    assert.equal(subjectToken(''), '_');
    assert.ok(subjectMatches(subjects.allSummaries, subjects.summaries('n.1')));
  });
});

describe('memory bus', () => {
  it('delivers every message once to a durable consumer and acks on success', async () => {
    const b = bus();
    for (let i = 0; i < 50; i++) await b.publish(subjects.findings('n1'), { i }, { msgId: `m${i}` });
    const got: number[] = [];
    const sub = await b.consume('hub', subjects.allFindings, async (m) => {
      got.push(m.json<{ i: number }>().i);
    });
    await until(() => got.length === 50, 2000, '50 messages');
    await sleep(30);
    await sub.stop();
    assert.deepEqual([...got].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
    await b.close();
  });

  it('drops a msgId duplicate within the window and accepts it again after the window', async () => {
    let now = 1_000_000;
    const b = new MemoryBus(parseBusConfig({ duplicateWindowSeconds: 10 }), () => now);
    const first = await b.publish('peregrine.findings.n1', { a: 1 }, { msgId: 'x' });
    const dup = await b.publish('peregrine.findings.n1', { a: 1 }, { msgId: 'x' });
    assert.deepEqual(dup, { seq: first.seq, duplicate: true });
    now += 11_000;
    const later = await b.publish('peregrine.findings.n1', { a: 1 }, { msgId: 'x' });
    assert.equal(later.duplicate, false);
    assert.equal(b.size, 2);
    const noId1 = await b.publish('peregrine.findings.n1', { a: 1 });
    const noId2 = await b.publish('peregrine.findings.n1', { a: 1 });
    assert.ok(!noId1.duplicate && !noId2.duplicate, 'no msgId, no dedup');
    await b.close();
  });

  it('a stopped durable consumer resumes where it left off; a second durable sees everything', async () => {
    const b = bus();
    for (let i = 0; i < 10; i++) await b.publish('peregrine.findings.n1', { i });
    const first: number[] = [];
    const sub1 = await b.consume('hub', 'peregrine.findings.>', async (m) => {
      first.push(m.seq);
    }, { maxInFlight: 1 });
    await until(() => first.length >= 4, 2000, 'some messages');
    await sub1.stop();
    for (let i = 10; i < 15; i++) await b.publish('peregrine.findings.n1', { i });
    const second: number[] = [];
    const sub2 = await b.consume('hub', 'peregrine.findings.>', async (m) => {
      second.push(m.seq);
    });
    const other: number[] = [];
    const sub3 = await b.consume('archiver', 'peregrine.findings.>', async (m) => {
      other.push(m.seq);
    });
    await until(() => first.length + second.length === 15 && other.length === 15, 2000, 'all 15');
    await sub2.stop();
    await sub3.stop();
    assert.deepEqual([...first, ...second].sort((x, y) => x - y), Array.from({ length: 15 }, (_, i) => i + 1));
    await assert.rejects(b.consume('hub', 'peregrine.other.>', async () => undefined), /filter/);
    await b.close();
  });

  it('redelivers a message whose handler outlives the ack wait (a stuck consumer)', async () => {
    const b = bus({ ackWaitSeconds: 0.1, maxInFlight: 2 });
    await b.publish('peregrine.findings.n1', { a: 1 }, { msgId: 'stuck' });
    const counts: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sub = await b.consume('hub', 'peregrine.>', async (m) => {
      counts.push(m.deliveryCount);
      if (m.deliveryCount === 1) await gate; // hangs past the ack wait
    });
    await until(() => counts.length === 2, 2000, 'redelivery after ack wait');
    release();
    await sub.stop();
    assert.deepEqual(counts, [1, 2]);
    await b.close();
  });

  it('enforces maxBytes by discarding the oldest messages', async () => {
    const b = bus({ maxBytes: 100 });
    for (let i = 0; i < 20; i++) await b.publish('peregrine.findings.n1', new Uint8Array(30));
    assert.equal(b.size, 3);
    const seqs: number[] = [];
    const sub = await b.consume('hub', 'peregrine.>', async (m) => {
      seqs.push(m.seq);
    });
    await until(() => seqs.length === 3, 2000, 'retained');
    await sub.stop();
    assert.deepEqual(seqs, [18, 19, 20]);
    await b.close();
  });
});

describe('memory bus: the shared Bus conformance suite', () => {
  busConformance(async () => new MemoryBus(parseBusConfig({})));
});

describe('bus config', () => {
  it('has documented defaults and creates the memory bus by default', async () => {
    const cfg = parseBusConfig({});
    assert.equal(cfg.kind, 'memory');
    assert.equal(cfg.stream, 'PEREGRINE');
    assert.deepEqual(cfg.subjects, ['peregrine.>']);
    assert.equal(cfg.duplicateWindowSeconds, 120);
    const b = await createBus(cfg);
    assert.equal(b.kind, 'memory');
    await b.close();
  });

  it('rejects bad values with a PeregrineError naming the field', () => {
    for (const [input, field] of [
      [{ kind: 'kafka' }, 'bus.kind'],
      [{ stream: 'a.b' }, 'bus.stream'],
      [{ maxBytes: -1 }, 'bus.maxBytes'],
      [{ extra: 1 }, 'bus'],
    ] as const) {
      assert.throws(
        () => parseBusConfig(input as never),
        (e: unknown) => e instanceof PeregrineError && e.code === 'PGN_ERR_BAD_PARAM' && e.oneLine().includes(field),
      );
    }
  });

  it('reports an unreachable NATS server as one PGN_ERR_IO line', async () => {
    await assert.rejects(
      createBus(parseBusConfig({ kind: 'nats', url: 'nats://127.0.0.1:1' })),
      (e: unknown) => e instanceof PeregrineError && e.code === 'PGN_ERR_IO' && e.where === 'bus.url',
    );
  });
});
