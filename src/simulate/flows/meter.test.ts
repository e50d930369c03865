import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import type { FlowRecord } from './columns.js';
import { FlowMeter, type FlowSink } from './connection.js';
import { javaDouble } from './csv.js';
import { ACK, FIN, FLOW_TIMEOUT_US, FlowStats, Moments, PSH, SYN } from './meter.js';
import { STACKS, TcpConn } from './tcp.js';

function sink(): FlowSink & { rows: FlowRecord[] } {
  const rows: FlowRecord[] = [];
  return { rows, captureStartUs: 0, captureEndUs: Number.MAX_SAFE_INTEGER, accept: (r) => rows.push(r), opened() {}, closed() {} };
}

test('Moments reproduce Commons Math SummaryStatistics results bit for bit', () => {
  const m = new Moments();
  for (const x of [0, 0, 0, 107, 0, 137, 0, 0, 0, 0]) m.add(x);
  // The printed values of a kubelet probe row in the k8s-flows benign capture (SYN..ACK, 107 B GET, 137 B answer).
  assert.equal(javaDouble(m.mean()), '24.399999999999995');
  assert.equal(javaDouble(m.std()), '51.923447925233596');
  assert.equal(javaDouble(m.variance()), '2696.0444444444447');
  const one = new Moments();
  one.add(5);
  assert.equal(one.std(), 0);
  assert.ok(Number.isNaN(new Moments().mean(NaN)));
});

test('a kubelet HTTP probe: 5 + 5 packets, flags, headers and rates as CICFlowMeter computes them', () => {
  const s = new FlowStats(0, true);
  // [time, fwd, len, flags, win, hdr]: SYN, SYN-ACK, ACK, GET, ACK, answer, ACK, FIN, FIN, ACK.
  const pkts: [number, boolean, number, number, number, number][] = [
    [0, true, 0, SYN, 65280, 40],
    [20, false, 0, SYN | ACK, 65280, 40],
    [40, true, 0, ACK, 502, 32],
    [60, true, 107, PSH | ACK, 502, 32],
    [100, false, 0, ACK, 505, 32],
    [180, false, 137, PSH | ACK, 505, 32],
    [200, true, 0, ACK, 502, 32],
    [240, false, 0, FIN | ACK, 505, 32],
    [270, true, 0, FIN | ACK, 502, 32],
    [291, false, 0, ACK, 505, 32],
  ];
  for (const p of pkts) s.add(...p);
  const r = s.toRecord({ ip: '100.64.0.2', port: 58576 }, { ip: '10.16.0.4', port: 8080 }, 6, 0, '0');
  assert.equal(r.flowDuration, 291);
  assert.equal(javaDouble(r.flowBytesPerSec), '838487.972508591');
  assert.equal(javaDouble(r.flowPacketsPerSec), '34364.26116838487');
  assert.equal(javaDouble(r.fwdPacketLengthStd), '47.8518547184955');
  assert.equal(javaDouble(r.bwdPacketLengthStd), '61.26826258349424');
  assert.deepEqual([r.synFlagCount, r.finFlagCount, r.pshFlagCount, r.ackFlagCount], [2, 2, 2, 9]);
  assert.deepEqual([r.fwdPshFlags, r.bwdPshFlags], [1, 1]);
  assert.deepEqual([r.fwdHeaderLength, r.bwdHeaderLength, r.fwdSegSizeMin], [168, 168, 32]);
  assert.deepEqual([r.fwdInitWinBytes, r.bwdInitWinBytes, r.fwdActDataPkts], [65280, 505, 1]);
  assert.deepEqual([r.subflowFwdPackets, r.subflowFwdBytes, r.subflowBwdBytes], [0, 10, 13]);
  assert.equal(r.fwdIatTotal, 270);
  assert.equal(r.totalTcpFlowTime, 291);
});

test('long connections are cut at the flow timeout; later rows take the direction of their first packet', () => {
  const out = sink();
  const m = new FlowMeter(out, { ip: '10.16.0.8', port: 40000 }, { ip: '198.51.100.7', port: 4444 }, 6, 'reverseshell', 0);
  m.packet(0, true, 0, SYN, 65280, 40);
  m.packet(10, false, 0, SYN | ACK, 65280, 40);
  m.packet(6_000_000, true, 50, PSH | ACK, 502, 32); // after an idle gap > 5 s: an active and an idle period
  m.packet(FLOW_TIMEOUT_US + 1, false, 5, PSH | ACK, 1026, 32); // from the listener, after the timeout
  m.packet(FLOW_TIMEOUT_US + 30, true, 0, ACK, 502, 32);
  m.close();
  assert.equal(out.rows.length, 2);
  const [a, b] = out.rows;
  assert.equal(a.flowId, '10.16.0.8-198.51.100.7-40000-4444-6');
  assert.equal(a.activeMean, 10);
  assert.equal(a.idleMean, 5_999_990);
  assert.equal(b.flowId, '198.51.100.7-10.16.0.8-4444-40000-6');
  assert.equal(b.fwdInitWinBytes, 1026);
  assert.equal(b.totalTcpFlowTime, FLOW_TIMEOUT_US + 30);
  assert.equal(b.flowDuration, 29);
});

test('packets outside the capture are not seen', () => {
  const out = sink();
  const s = { ...out, captureStartUs: 100, captureEndUs: 200, accept: out.accept };
  const m = new FlowMeter(s, { ip: 'a', port: 1 }, { ip: 'b', port: 2 }, 17, '0', 0);
  for (const t of [50, 150, 160, 250]) m.packet(t, true, 10, 0, 0, 8);
  m.close();
  assert.equal(out.rows.length, 1);
  assert.equal(out.rows[0].totalFwdPackets, 2);
});

test('TcpConn conversations keep time moving forward and close cleanly', () => {
  const out = sink();
  const rng = new Rng(3);
  const link = { latencyUs: 100, mss: 1348, gro: 4, bytesPerUs: 1000 };
  const c = new TcpConn(out, rng, {
    client: { ip: '10.16.0.2', port: 41000 },
    server: { ip: '10.16.0.3', port: 5432 },
    label: '0',
    startUs: 1000,
    link,
    clientStack: STACKS.pod,
    serverStack: STACKS.pod,
  });
  c.handshake();
  c.exchange(300, 250_000, 500);
  c.finish(true);
  const [r] = out.rows;
  assert.equal(out.rows.length, 1);
  assert.equal(r.totalLengthFwdPackets, 300);
  assert.equal(r.totalLengthBwdPackets, 250_000);
  assert.ok(r.bwdPacketLengthMax <= 4 * 1348);
  assert.ok(r.flowIatMin >= 0);
  assert.equal(r.synFlagCount, 2);
  assert.equal(r.finFlagCount, 2);
});
