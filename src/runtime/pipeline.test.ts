import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEvent } from '../ingest/events/index.js';
import { parseRecord, serializeRecord } from '../publish/records.js';
import type { EventRecord, ForensicRecord, SummaryRecord } from '../publish/types.js';
import { containerIdentity, generateEvents, type ScenarioOptions } from '../simulate/events/index.js';
import { MemorySink } from './memory-sink.js';
import { RuntimePipeline, type IntervalMetrics, type PipelineOptions, type RuntimeSummary } from './pipeline.js';
import { renderRuntimeReport, runtimeReportSection } from './report.js';

const SCENARIO: ScenarioOptions = {
  seed: 7,
  containers: 2,
  rate: 200,
  durationSeconds: 265, // ends mid-interval: the last interval is cut short
  // a lighter miner than the default (fewer futex calls) keeps the test fast
  attacks: [{ type: 'cryptominer', containers: [0], startSeconds: 200, stageSeconds: 10, miner: { futexPerThreadPerSecond: 200 } }],
};
const VICTIM = containerIdentity(7, 0).containerId;
const BYSTANDER = containerIdentity(7, 1).containerId;

interface Run {
  summary: RuntimeSummary;
  sink: MemorySink;
  pipeline: RuntimePipeline;
  pushed: number;
  completed: IntervalMetrics[];
}

async function run(mode: 'adaptive' | 'standard', extra: Partial<PipelineOptions> = {}): Promise<Run> {
  const sink = new MemorySink({ maxRecords: 1e7 });
  const pipeline = new RuntimePipeline({
    mode,
    summarizer: { intervalSeconds: 10 },
    stability: { vectorsToTrain: 16, epochs: 20, seed: 1 },
    adaptive: { cacheIntervals: 2, cacheMaxBytes: 256 * 1024 * 1024, coolDownIntervals: 2 },
    sink,
    ...extra,
  });
  await pipeline.start();
  let pushed = 0;
  const completed: IntervalMetrics[] = [];
  for (const part of generateEvents(SCENARIO)) {
    completed.push(...(await pipeline.push(part, part.map(encodeEvent))));
    pushed += part.length;
  }
  const summary = await pipeline.finish();
  await pipeline.close();
  return { summary, sink, pipeline, pushed, completed };
}

let adaptive: Run;
let standard: Run;
before(async () => {
  adaptive = await run('adaptive');
  standard = await run('standard');
});

const key = (c: string, start: number) => `${c}@${start}`;

test('adaptive: stable intervals ship summaries only, unstable ones their full log plus cached context', () => {
  const recs: ForensicRecord[] = adaptive.sink.records;
  const summaries = recs.filter((r): r is SummaryRecord => r.kind === 'summary');
  const events = recs.filter((r): r is EventRecord => r.kind === 'event');
  assert.equal(summaries.length, adaptive.summary.vectors, 'one summary per container-interval');
  assert.equal(new Set(recs.map((r) => r.id)).size, recs.length, 'ids unique');
  const evBy = new Map<string, EventRecord[]>();
  for (const e of events) {
    const k = key(e.containerId, e.intervalStart);
    const list = evBy.get(k);
    if (list) list.push(e);
    else evBy.set(k, [e]);
  }
  let unstable = 0;
  for (const s of summaries) {
    const evs = evBy.get(key(s.containerId, s.intervalStart)) ?? [];
    if (!s.fullLog) {
      assert.ok(evs.every((e) => e.reason === 'context'), `stable interval ${s.id} published events other than pre-incident context`);
    } else {
      assert.equal(evs.length, s.eventCount, `full log of ${s.id}: every event of the interval`);
      assert.ok(evs.every((e) => e.reason === (s.unstable ? 'unstable' : 'cooldown')));
    }
    if (s.unstable) {
      unstable++;
      assert.ok(s.fullLog);
    }
    // learning or cut-short intervals count as stable (a full log only as the cool-down after an unstable one)
    if (s.score === null) assert.ok(!s.unstable && s.threshold === null && (!s.fullLog || (evBy.get(key(s.containerId, s.intervalStart)) ?? []).every((e) => e.reason === 'cooldown')));
    else assert.equal(s.latentMean?.length, 10);
  }
  assert.ok(unstable >= 6, `the staged attack is unstable (${unstable} unstable intervals)`);
  // the victim's first unstable interval comes with the two cached intervals before it as context
  const victim = summaries.filter((s) => s.containerId === VICTIM).sort((a, b) => a.intervalStart - b.intervalStart);
  const firstBad = victim.findIndex((s) => s.unstable);
  assert.ok(firstBad >= 2);
  assert.equal(victim[firstBad].contextIntervals, 2);
  for (const prev of victim.slice(firstBad - 2, firstBad)) {
    const evs = evBy.get(key(VICTIM, prev.intervalStart)) ?? [];
    assert.equal(evs.length, prev.eventCount, 'pre-incident context is the whole cached interval');
    assert.ok(evs.every((e) => e.reason === 'context'));
  }
  // the attack is caught in the victim, from the shell stage on
  const caught = new Set(adaptive.summary.intervals.flatMap((m) => m.detections).filter((d) => d.containerId === VICTIM).map((d) => d.attackClass));
  for (const s of ['shell', 'commands', 'download', 'compile', 'mining']) assert.ok(caught.has(`cryptominer:${s}`), s);
  // the bystander never had a full log except around its own (false-alarm) unstable intervals
  const bystanderFull = summaries.filter((s) => s.containerId === BYSTANDER && s.fullLog).length;
  const bystanderBad = summaries.filter((s) => s.containerId === BYSTANDER && s.unstable).length;
  assert.ok(bystanderFull <= 3 * bystanderBad);
});

test('adaptive vs standard: standard ships every event and no summary; adaptive far fewer bytes', () => {
  const st = standard.sink.stats();
  assert.equal(st.summaries, 0);
  assert.equal(st.events, standard.pushed, 'every event of every interval');
  assert.ok(standard.sink.records.every((r) => r.kind === 'event' && r.reason === 'standard'));
  const a = adaptive.summary.published;
  const s = standard.summary.published;
  assert.equal(s.events, standard.pushed);
  assert.ok(a.bytes < s.bytes, `adaptive ${a.bytes} vs standard ${s.bytes}`);
  // before the attack (the vectors of intervals up to 190 s close by 200 s): summaries only, unless a false alarm
  const calm = (r: Run) => r.summary.intervals.slice(0, 20).reduce((n, m) => n + m.published.bytes, 0);
  const falseAlarms = adaptive.summary.intervals.slice(0, 20).reduce((n, m) => n + m.unstable, 0);
  if (falseAlarms === 0) assert.ok(calm(adaptive) * 200 < calm(standard), `stable operation: adaptive ${calm(adaptive)} vs standard ${calm(standard)} bytes`);
  // the same verdicts either way (the publisher does not influence judging)
  assert.equal(adaptive.summary.stability.unstable, standard.summary.stability.unstable);
});

test('metrics: per-interval bytes add up to the totals; CPU and stage times are measured; training is reported', () => {
  for (const r of [adaptive, standard]) {
    const ivs = r.summary.intervals;
    assert.deepEqual(ivs.slice(0, r.completed.length), r.completed, 'push returns the intervals it completed');
    assert.equal(ivs.length, 27, 'one per 10-s interval of event time');
    assert.deepEqual(ivs.map((m) => m.index), ivs.map((_, i) => ivs[0].index + i));
    assert.equal(ivs.reduce((s, m) => s + m.events, 0), r.pushed);
    assert.equal(ivs.reduce((s, m) => s + m.published.bytes, 0), r.summary.published.bytes);
    assert.equal(ivs.reduce((s, m) => s + m.stored.bytes, 0), r.summary.sink.bytesSent);
    assert.equal(ivs.reduce((s, m) => s + m.vectors, 0), r.summary.vectors);
    assert.equal(r.summary.sink.delivered, r.summary.published.records, 'everything published reached the sink');
    assert.equal(r.summary.delivery.spool.droppedRecords, 0);
    assert.ok(ivs.every((m) => m.cpuMs >= 0 && m.wallMs >= 0) && r.summary.cpuMs > 0);
    assert.ok(r.summary.stages.summarizeMs > 0 && r.summary.stages.assessMs > 0 && r.summary.stages.publishMs > 0);
    const trained = ivs.flatMap((m) => m.trained);
    assert.equal(trained.length, 1);
    assert.equal(trained[0].group, 'nginx');
    assert.equal(r.summary.models[0].version, 1);
    assert.equal(r.summary.partialVectors, 2, 'the interval cut short by the end of the stream, per container');
  }
});

test('timelines: learning, then judged; the cut-short interval is not judged', () => {
  const tls = adaptive.pipeline.timelines();
  assert.equal(tls.length, 2);
  for (const tl of tls) {
    const phases = tl.points.map((p) => p.phase);
    assert.equal(phases.filter((p) => p === 'learning').length, 8);
    assert.equal(phases[phases.length - 1], 'partial');
    assert.ok(phases.slice(8, -1).every((p) => p === 'evaluating'));
    assert.ok(tl.points.every((p, i) => i === 0 || p.start > tl.points[i - 1].start));
  }
  const victim = tls.find((t) => t.containerId === VICTIM);
  assert.ok(victim?.points.filter((p) => p.label === 1 && p.phase === 'evaluating').every((p) => p.unstable));
});

test('report: Figure 3 charts (log scale, threshold line, unstable intervals), table, escaping', () => {
  const tls = adaptive.pipeline.timelines();
  const sec = runtimeReportSection(tls, adaptive.summary);
  assert.equal((sec.html.match(/<svg /g) ?? []).length, 2);
  assert.ok(sec.html.includes('r_th'));
  assert.ok(sec.html.includes('unstable'));
  assert.ok(!/undefined|NaN/.test(sec.html));
  const evil = '<script>alert(1)</script>';
  const page = renderRuntimeReport([{ ...tls[0], pod: evil }], adaptive.summary, { title: evil });
  assert.ok(page.startsWith('<!doctype html>'));
  assert.ok(!page.includes('<script>'));
  assert.ok(page.includes('&lt;script&gt;'));
  assert.ok(!/<link |src="http|url\(http|@import/i.test(page), 'self-contained');
  const one = runtimeReportSection(tls, undefined, { maxCharts: 1 });
  assert.equal((one.html.match(/<svg /g) ?? []).length, 1);
  assert.ok(one.html.includes('1 more container'));
});

test('summary records: a judged stable interval serializes to a few hundred bytes and parses back whole', () => {
  const judged = adaptive.sink.records.filter((r): r is SummaryRecord => r.kind === 'summary' && r.score !== null && !r.fullLog);
  assert.ok(judged.length > 10);
  for (const s of judged) {
    const text = serializeRecord(s);
    // 12-hex container id, group "nginx", 10 latent dimensions: about 420 bytes (docs/publish.md)
    assert.ok(Buffer.byteLength(text) <= 450, `${Buffer.byteLength(text)} bytes: ${text}`);
    assert.deepEqual(parseRecord(text), s);
    assert.ok(s.latentMean?.every((x) => Number(x.toPrecision(2)) === x), 'latent values at 2 significant digits');
    assert.ok(s.score !== null && Number(s.score.toPrecision(4)) === s.score, 'score at 4 significant digits');
    assert.equal(s.counts.events_total, undefined, 'events_total is eventCount');
  }
});
