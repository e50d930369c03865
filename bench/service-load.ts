/**
 * `npm run bench:service`: the hub under HTTP load (not a test). Starts `peregrine serve` as a child process (its own
 * event loop and RSS), then:
 *   1. steady: `rate` events/s of Falco JSON lines (generated nginx containers, src/simulate/events, with real-time
 *      timestamps) in POSTs of `batch` events, for `duration` seconds; a 429/503 is retried after its Retry-After, so
 *      every event is eventually accepted (loss = events the hub never counted);
 *   2. burst: 10x the rate for `burst` seconds, without retries: how many requests the hub refuses (429/503) and
 *      that it stays up;
 *   3. drain: waits for the queues to empty and reads the hub's counters from /metrics.
 * Reports client-side request latency (p50/p99, steady phase), the hub's RSS every 5 s (/proc), and
 * sent / received / processed / dropped counts.
 *
 *   npm run bench:service -- [--rate 5000] [--duration 600] [--burst 15] [--batch 100] [--containers 50] [--json]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeFalcoEvent } from '../src/ingest/events/falco/encode.js';
import { generateEvents } from '../src/simulate/events/index.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '5000' },
    duration: { type: 'string', default: '600' },
    burst: { type: 'string', default: '15' },
    batch: { type: 'string', default: '100' },
    containers: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
  },
});
const RATE = Number(args.rate);
const DURATION = Number(args.duration);
const BURST = Number(args.burst);
const BATCH = Number(args.batch);
const CONTAINERS = Number(args.containers);
const CONCURRENCY = Number(args.concurrency);
const TOKEN = 'bench-token-0123456789abcdef';
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

const log = (s: string): void => {
  if (!args.json) process.stderr.write(s + '\n');
};

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name + '{') || line.startsWith(name + ' ')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** A quantile of a Prometheus histogram (upper bucket bound, as histogram_quantile does without interpolation). */
async function histogramQuantile(base: string, name: string, q: number): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} (\\S+)$`).exec(line);
    if (m) buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]), (buckets.get(m[1] === '+Inf' ? Infinity : Number(m[1])) ?? 0) + Number(m[2]));
  }
  const les = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? 0;
  for (const le of les) if ((buckets.get(le) ?? 0) >= q * total) return le;
  return NaN;
}

async function startHub(dir: string): Promise<{ pid: number; base: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PEREGRINE_TOKEN: TOKEN, PEREGRINE_LOG_LEVEL: 'warn' },
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
  });
  return {
    pid: child.pid as number,
    base,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

interface Phase {
  requests: number;
  accepted: number;
  refused: number;
  errors: number;
  latencies: number[];
  sentEvents: number;
}
const phase = (): Phase => ({ requests: 0, accepted: 0, refused: 0, errors: 0, latencies: [], sentEvents: 0 });

async function post(base: string, body: string, p: Phase, n: number, retry: boolean): Promise<void> {
  for (;;) {
    const t0 = performance.now();
    let status = 0;
    let retryAfter = 1;
    try {
      const res = await fetch(`${base}/ingest/falco`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' }, body });
      await res.arrayBuffer();
      status = res.status;
      retryAfter = Number(res.headers.get('retry-after')) || 1;
    } catch {
      p.errors++;
    }
    p.requests++;
    if (status === 202) {
      p.latencies.push(performance.now() - t0);
      p.accepted++;
      p.sentEvents += n;
      return;
    }
    if (status === 429 || status === 503) p.refused++;
    if (!retry) return;
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
  }
}

/**
 * Sends `bodies` spread evenly over the next second (a steady stream, as many Falco outputs would send), with at most
 * CONCURRENCY requests in flight; resolves when all are answered.
 */
async function sendPaced(base: string, bodies: Array<{ body: string; n: number }>, p: Phase, retry: boolean): Promise<void> {
  const start = performance.now();
  const gap = 1000 / Math.max(1, bodies.length);
  const inflight = new Set<Promise<void>>();
  for (let k = 0; k < bodies.length; k++) {
    const wait = start + k * gap - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inflight.size >= CONCURRENCY) await Promise.race(inflight);
    const pr: Promise<void> = post(base, bodies[k].body, p, bodies[k].n, retry).finally(() => inflight.delete(pr));
    inflight.add(pr);
  }
  await Promise.all(inflight);
}

function chunk(lines: string[]): Array<{ body: string; n: number }> {
  const out = [];
  for (let i = 0; i < lines.length; i += BATCH) out.push({ body: lines.slice(i, i + BATCH).join('\n'), n: Math.min(BATCH, lines.length - i) });
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-bench-'));
  const hub = await startHub(dir);
  log(`hub ${hub.base} (pid ${hub.pid}); steady ${RATE} events/s for ${DURATION} s in POSTs of ${BATCH}, then a ${BURST}-s burst at ${10 * RATE}/s`);
  const rss: Array<{ t: number; mb: number }> = [];
  const t0 = Date.now();
  const sampler = setInterval(() => rss.push({ t: Math.round((Date.now() - t0) / 1000), mb: Math.round(rssMb(hub.pid)) }), 5000);
  rss.push({ t: 0, mb: Math.round(rssMb(hub.pid)) });
  const steady = phase();
  const gen = generateEvents({ seed: 11, containers: CONTAINERS, rate: RATE / CONTAINERS, startUs: Math.floor(Date.now() / 1000) * 1e6, durationSeconds: DURATION + BURST + 5 });
  let last: string[] = [];
  for (let s = 0; s < DURATION; s++) {
    const due = t0 + (s + 1) * 1000;
    const lines = (gen.next().value as ReturnType<typeof generateEvents> extends Generator<infer T> ? T : never).map((e) => encodeFalcoEvent(e));
    last = lines;
    await sendPaced(hub.base, chunk(lines), steady, true);
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (s % 10 === 9) log(`  ${s + 1} s: ${steady.sentEvents} events accepted, p99 ${quantile(steady.latencies, 0.99).toFixed(1)} ms, RSS ${rss[rss.length - 1].mb} MB`);
  }
  const steadyEnd = Date.now();
  const serverP99 = await histogramQuantile(hub.base, 'peregrine_ingest_latency_seconds', 0.99);
  // burst: 10x, no retries (the refusals are the point)
  const burst = phase();
  for (let s = 0; s < BURST; s++) {
    const due = Date.now() + 1000;
    const bodies = chunk(last);
    const all = Array.from({ length: 10 }, () => bodies).flat();
    await sendPaced(hub.base, all, burst, false);
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const alive = (await fetch(`${hub.base}/healthz`)).status === 200;
  // drain
  const drainStart = Date.now();
  for (;;) {
    const depth = await metric(hub.base, 'peregrine_ingest_queue_depth');
    if (depth === 0 || Date.now() - drainStart > 120_000) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const received = await metric(hub.base, 'peregrine_events_received_total');
  const processed = await metric(hub.base, 'peregrine_events_processed_total');
  const dropped = await metric(hub.base, 'peregrine_events_dropped_total');
  clearInterval(sampler);
  rss.push({ t: Math.round((Date.now() - t0) / 1000), mb: Math.round(rssMb(hub.pid)) });
  const code = await hub.stop();
  rmSync(dir, { recursive: true, force: true });
  const steadyRss = rss.filter((r) => r.t * 1000 <= steadyEnd - t0);
  const result = {
    rate: RATE,
    durationSeconds: DURATION,
    batch: BATCH,
    containers: CONTAINERS,
    steady: {
      eventsAccepted: steady.sentEvents,
      achievedRate: Math.round(steady.sentEvents / ((steadyEnd - t0) / 1000)),
      requests: steady.requests,
      refusedThenRetried: steady.refused,
      errors: steady.errors,
      serverDecodeAndQueueP99Seconds: serverP99,
      latencyMs: { p50: Number(quantile(steady.latencies, 0.5).toFixed(2)), p99: Number(quantile(steady.latencies, 0.99).toFixed(2)), max: Number(Math.max(...steady.latencies).toFixed(2)) },
    },
    burst: { seconds: BURST, requests: burst.requests, accepted: burst.accepted, refused429or503: burst.refused, errors: burst.errors, hubAliveAfter: alive },
    hub: { received, processed, dropped, exitCode: code },
    lossSteady: Math.max(0, steady.sentEvents + burst.sentEvents - received),
    unprocessed: received - processed,
    rssMb: { samples: rss, maxSteady: Math.max(...steadyRss.map((r) => r.mb)), max: Math.max(...rss.map((r) => r.mb)) },
  };
  if (args.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else {
    log(`steady: ${result.steady.eventsAccepted} events accepted (${result.steady.achievedRate}/s), p50 ${result.steady.latencyMs.p50} ms, p99 ${result.steady.latencyMs.p99} ms, ${result.steady.refusedThenRetried} refusals retried, ${result.steady.errors} errors`);
    log(`burst: ${result.burst.requests} requests, ${result.burst.accepted} accepted, ${result.burst.refused429or503} refused with 429/503, hub alive: ${alive}`);
    log(`hub: received ${received}, processed ${processed}, dropped (refused requests' events) ${dropped}; loss ${result.lossSteady}; exit ${code}`);
    log(`RSS MB: max ${result.rssMb.max} (steady max ${result.rssMb.maxSteady}); samples ${rss.map((r) => `${r.t}s:${r.mb}`).join(' ')}`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`service-load: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
