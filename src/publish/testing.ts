/** Fixtures for the publish tests: intervals, events, verdicts and a fixed batch of records. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRecord, ForensicRecord, IntervalVerdict, RawEvent, SummaryRecord } from './types.js';

/** 2024-01-02T10:00:00Z, the start of interval 0. */
export const T0 = Date.UTC(2024, 0, 2, 10, 0, 0);
export const INTERVAL_MS = 30_000;

export const start = (i: number) => T0 + i * INTERVAL_MS;

/** `n` events of container `c` spread over interval `i`, each line `bytes` long (ASCII). */
export function events(c: string, i: number, n: number, bytes = 100): RawEvent[] {
  const out: RawEvent[] = [];
  for (let k = 0; k < n; k++) {
    const timeNs = (start(i) + Math.floor((k * INTERVAL_MS) / Math.max(n, 1))) * 1e6;
    const head = `{"c":"${c}","i":${i},"k":${k},"p":"`;
    out.push({ containerId: c, timeNs, line: head + 'x'.repeat(Math.max(0, bytes - head.length - 2)) + '"}' });
  }
  return out;
}

export function verdict(c: string, i: number, unstable: boolean, extra: Partial<IntervalVerdict> = {}): IntervalVerdict {
  return {
    containerId: c,
    group: 'nginx',
    intervalStart: start(i),
    intervalEnd: start(i + 1),
    score: unstable ? 12.5 : 0.25,
    threshold: 1.5,
    unstable,
    latentMean: [0.1, -0.2],
    latentVar: [0.9, 1.1],
    counts: { read: 10, write: 5 },
    eventCount: 15,
    ...extra,
  };
}

export const SAMPLE_SUMMARY: SummaryRecord = {
  kind: 'summary',
  id: 'c1:1704189600000:s',
  containerId: 'c1',
  group: 'nginx',
  intervalStart: 1704189600000,
  intervalEnd: 1704189630000,
  score: 12.5,
  threshold: 1.5,
  unstable: true,
  eventCount: 2,
  fullLog: true,
  contextIntervals: 0,
  droppedEvents: 0,
  counts: { execve: 1, connect: 1 },
  latentMean: [0.5, -1],
  latentVar: [0.25, 2],
  modelVersion: 'vae-3',
};

export const SAMPLE_EVENTS: EventRecord[] = [
  {
    kind: 'event',
    id: 'c1:1704189600000:0',
    containerId: 'c1',
    group: 'nginx',
    intervalStart: 1704189600000,
    intervalEnd: 1704189630000,
    offset: 0,
    timeNs: 1704189601000000000,
    reason: 'unstable',
    line: '{"evt.type":"execve","proc.name":"sh"}',
  },
  {
    kind: 'event',
    id: 'c1:1704189600000:1',
    containerId: 'c1',
    group: 'nginx',
    intervalStart: 1704189600000,
    intervalEnd: 1704189630000,
    offset: 1,
    timeNs: 1704189602500000000,
    reason: 'unstable',
    line: '{"evt.type":"connect","fd.name":"10.0.0.5:4444"}',
  },
];

export const SAMPLE: ForensicRecord[] = [SAMPLE_SUMMARY, ...SAMPLE_EVENTS];

/** `n` event records of one interval (distinct ids), for volume tests. */
export function eventRecords(n: number, c = 'c1', i = 0): EventRecord[] {
  const out: EventRecord[] = [];
  for (let k = 0; k < n; k++) {
    out.push({
      kind: 'event',
      id: `${c}:${start(i)}:${k}`,
      containerId: c,
      group: 'nginx',
      intervalStart: start(i),
      intervalEnd: start(i + 1),
      offset: k,
      timeNs: (start(i) + k) * 1e6,
      reason: 'unstable',
      line: `{"k":${k}}`,
    });
  }
  return out;
}

export function tempDir(prefix = 'peregrine-publish-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
