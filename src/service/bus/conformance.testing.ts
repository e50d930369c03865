/**
 * One behavioural suite for every Bus implementation (River's "same checks on every component"): the memory bus
 * and the NATS bus must agree on dedup, ack/nak, redelivery counts, bounded concurrency and durable resume.
 * `make(prefix)` returns a fresh bus whose stream captures `<prefix>.>`.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus } from './types.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function busConformance(make: (prefix: string) => Promise<Bus>): void {
  it('conformance: msgId duplicates are dropped; messages without an id are not', async () => {
    const bus = await make('cdedup');
    const a = await bus.publish('cdedup.n1', { v: 1 }, { msgId: 'same' });
    const b = await bus.publish('cdedup.n1', { v: 1 }, { msgId: 'same' });
    await bus.publish('cdedup.n1', { v: 2 });
    await bus.publish('cdedup.n1', { v: 2 });
    assert.equal(a.duplicate, false);
    assert.deepEqual(b, { seq: a.seq, duplicate: true });
    const got: number[] = [];
    const sub = await bus.consume('c', 'cdedup.>', async (m) => {
      got.push(m.json<{ v: number }>().v);
    });
    await until(() => got.length >= 3, 5000, '3 messages');
    await sleep(100);
    await sub.stop();
    assert.deepEqual(got, [1, 2, 2]);
    await bus.close();
  });

  it('conformance: a failing handler naks; the message returns after the delay with deliveryCount + 1', async () => {
    const bus = await make('cnak');
    await bus.publish('cnak.n1', new Uint8Array([1, 2, 3]), { msgId: 'x' });
    const seen: Array<{ count: number; at: number; msgId: string; bytes: number[] }> = [];
    const t0 = Date.now();
    const sub = await bus.consume('c', 'cnak.>', async (m) => {
      seen.push({ count: m.deliveryCount, at: Date.now() - t0, msgId: m.msgId, bytes: [...m.data] });
      if (m.deliveryCount < 3) throw new Error('not yet');
    }, { nakDelayMs: 150 });
    await until(() => seen.length >= 3, 5000, 'three deliveries');
    await sleep(300);
    await sub.stop();
    assert.deepEqual(seen.map((s) => s.count), [1, 2, 3], 'acked on the third, never delivered again');
    assert.ok(seen[2].at - seen[1].at >= 120, `nak delay honoured (${seen[2].at - seen[1].at} ms)`);
    assert.equal(seen[0].msgId, 'x');
    assert.deepEqual(seen[0].bytes, [1, 2, 3], 'bytes pass through untouched');
    await bus.close();
  });

  it('conformance: at most maxInFlight handlers run at once', async () => {
    const bus = await make('cbound');
    for (let i = 0; i < 30; i++) await bus.publish('cbound.n1', { i });
    let active = 0;
    let peak = 0;
    let done = 0;
    const sub = await bus.consume('c', 'cbound.>', async () => {
      peak = Math.max(peak, ++active);
      await sleep(10);
      active--;
      done++;
    }, { maxInFlight: 3 });
    await until(() => done >= 30, 10000, '30 handled');
    await sub.stop();
    assert.ok(peak >= 2 && peak <= 3, `peak ${peak}`);
    await bus.close();
  });

  it('conformance: a durable consumer resumes after stop; another durable gets its own copy of everything', async () => {
    const bus = await make('cdur');
    for (let i = 0; i < 10; i++) await bus.publish('cdur.n1', { i }, { msgId: `d${i}` });
    const first = new Set<number>();
    const sub1 = await bus.consume('hub', 'cdur.>', async (m) => {
      first.add(m.json<{ i: number }>().i);
    }, { maxInFlight: 1 });
    await until(() => first.size >= 3, 5000, 'some messages');
    await sub1.stop();
    for (let i = 10; i < 15; i++) await bus.publish('cdur.n1', { i }, { msgId: `d${i}` });
    const second = new Set<number>();
    const other = new Set<number>();
    const sub2 = await bus.consume('hub', 'cdur.>', async (m) => {
      second.add(m.json<{ i: number }>().i);
    });
    const sub3 = await bus.consume('archive', 'cdur.>', async (m) => {
      other.add(m.json<{ i: number }>().i);
    });
    await until(() => new Set([...first, ...second]).size === 15 && other.size === 15, 5000, 'all 15 on both durables');
    await sub2.stop();
    await sub3.stop();
    await bus.close();
  });
}
