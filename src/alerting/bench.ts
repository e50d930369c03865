import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { AlertPipeline } from './pipeline.js';
import { FakeReceiver, makeFinding, waitFor } from './testing.js';

/**
 * Alert pipeline throughput: `node dist/src/alerting/bench.js [findings] [workloads]` (after `npm run build`). Submits findings
 * spread over workloads (SQLite on disk, one webhook sink on a local receiver), then times the outbox drain.
 */

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 20_000);
  const workloads = Number(process.argv[3] ?? 200);
  const dir = mkdtempSync(join(tmpdir(), 'pgn-alert-bench-'));
  const rx = await new FakeReceiver().start();
  const clock = { t: Date.now() };
  const p = new AlertPipeline({
    config: { groupWaitSeconds: 0, repeatIntervalSeconds: 0, sinks: [{ type: 'webhook', url: `${rx.url}/hook`, secret: 'bench', maxBatch: 100 }] },
    dataDir: dir,
    registry: new Registry(),
    now: () => clock.t,
  });
  await p.start();
  const findings = Array.from({ length: n }, (_, i) =>
    makeFinding({ id: `f${i}`, workload: `w${i % workloads}`, pod: `w${i % workloads}-${i % 7}`, windowStart: 1_700_000_000_000 + Math.floor(i / workloads) * 30_000 }),
  );
  const t0 = performance.now();
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (p.submit(findings[i])) kept++;
    if (i % 1000 === 999) {
      clock.t += 1000;
      p.tick();
    }
  }
  const submitMs = performance.now() - t0;
  const rows = p.outboxStats().pending + p.outboxStats().delivered;
  await waitFor(() => p.outboxStats().pending === 0, 120_000, 'drain');
  const totalMs = performance.now() - t0;
  console.log(
    JSON.stringify({
      findings: n,
      workloads,
      accepted: kept,
      submitMs: Math.round(submitMs),
      submitsPerSecond: Math.round(n / (submitMs / 1000)),
      outboxRows: rows,
      drainedAfterMs: Math.round(totalMs),
      requests: rx.requests.length,
      rssMB: Math.round(process.memoryUsage().rss / 1e6),
    }),
  );
  await p.close();
  await rx.stop();
  rmSync(dir, { recursive: true, force: true });
}

await main();
