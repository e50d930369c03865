import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyEntity, emptyEvidence, type Finding } from '../alerting/types.js';
import { createBus, parseBusConfig } from './bus/index.js';
import { startTestHub, TEST_TOKEN, waitFor } from './testing.js';
import { BusTransport, HttpTransport, sendWithRetry, TransportError } from './transport.js';
import { stopChild } from '../testing/process.js';

const finding = (id: string, pod: string): Finding => ({
  id,
  modality: 'syscalls',
  detector: 'vae',
  modelVersion: 'nginx@v1',
  entity: { ...emptyEntity(), namespace: 'shop', workload: 'cart', pod, node: 'node-7' },
  windowStart: 1_700_000_000_000,
  windowEnd: 1_700_000_030_000,
  score: 12,
  threshold: 1,
  severity: 'warning',
  title: 'container activity departs from its baseline',
  evidence: { ...emptyEvidence(), keyEvents: ['execve /bin/sh by sh (parent nginx)'] },
  labels: {},
});

test('HTTP transport: 202 taken; a malformed batch is not retried; a wrong token is refused (401, not retryable)', async () => {
  const t = await startTestHub();
  try {
    await new HttpTransport(t.url, TEST_TOKEN).send({ node: 'node-7', batchId: 'b1', findings: [finding('f1', 'cart-1')] });
    await waitFor(() => t.hub.alerts.list({}).some((a) => a.entity.workload === 'cart'));
    const bad = { node: 'node-7', batchId: 'b2', findings: [{ ...finding('f2', 'cart-1'), severity: 'extreme' as never }] };
    await assert.rejects(new HttpTransport(t.url, TEST_TOKEN).send(bad), (e: TransportError) => !e.retryable && /400/.test(e.message));
    await assert.rejects(new HttpTransport(t.url, 'not-the-token-0123456789').send({ node: 'n', batchId: 'b3', findings: [] }), (e: TransportError) => !e.retryable && /401/.test(e.message));
    // an unreachable hub is retryable; sendWithRetry gives up after maxAttempts
    let calls = 0;
    const down = new HttpTransport('http://127.0.0.1:9', TEST_TOKEN, async () => {
      calls++;
      throw new Error('ECONNREFUSED');
    });
    await assert.rejects(sendWithRetry(down, { node: 'n', batchId: 'b4', findings: [] }, { maxAttempts: 3, baseMs: 1 }), (e: TransportError) => e.retryable);
    assert.equal(calls, 3);
  } finally {
    await t.close();
  }
});

const hasNats = spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

test('bus transport over a real nats-server (JetStream): agent findings reach the hub; a retried publish is folded once', { skip: hasNats ? false : 'nats-server not on PATH (Debian package nats-server)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-nats-'));
  const port = await freePort();
  const nats = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], { stdio: 'ignore' });
  const url = `nats://127.0.0.1:${port}`;
  try {
    await waitFor(async () => {
      try {
        const b = await createBus(parseBusConfig({ kind: 'nats', url, storage: 'memory' }));
        await b.close();
        return true;
      } catch {
        return false;
      }
    }, 10_000, 200);
    const t = await startTestHub({ PEREGRINE_BUS__KIND: 'nats', PEREGRINE_BUS__URL: url, PEREGRINE_BUS__STORAGE: 'memory' });
    try {
      const transport = new BusTransport(await createBus(parseBusConfig({ kind: 'nats', url, storage: 'memory' })), 'node-7');
      const env = { node: 'node-7', batchId: 'batch-1', findings: [finding('f10', 'cart-1'), finding('f11', 'cart-2')] };
      await transport.send(env);
      await transport.send(env); // a publish retry: JetStream drops the duplicate message id
      await waitFor(() => t.hub.alerts.list({}).some((a) => a.entity.workload === 'cart' && a.findings === 2), 10_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(t.hub.alerts.list({}).find((a) => a.entity.workload === 'cart')?.findings, 2);
      await transport.close();
    } finally {
      await t.close();
    }
  } finally {
    await stopChild(nats);
    rmSync(dir, { recursive: true, force: true });
  }
});
