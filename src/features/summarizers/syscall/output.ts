/**
 * Activity vectors as NDJSON or CSV (`peregrine summarize --out`). Both carry the identity columns and the
 * FEATURE_NAMES values in schema order.
 *
 * NDJSON, one object per vector:
 * `{"schema":"peregrine.syscall-activity/v1","containerId":..,"group":..,"image":..,"pod":..,"namespace":..,
 *   "intervalStart":<epoch us>,"intervalEnd":<epoch us>,"eventCount":n,"label":-1|0|1,"attackClass":"..","values":[...]}`
 * CSV: header `container_id,group,image,pod,namespace,interval_start_us,interval_end_us,event_count,label,
 * attack_class,<feature names>`, then one row per vector.
 * Values are written as the shortest decimal that reads back to the same float32 (at most 9 significant digits);
 * counts stay exact integers.
 */
import { FEATURE_NAMES, SCHEMA_ID } from './schema.js';
import type { ActivityVector } from './summarizer.js';

export type VectorFormat = 'ndjson' | 'csv';

export const CSV_ID_COLUMNS = ['container_id', 'group', 'image', 'pod', 'namespace', 'interval_start_us', 'interval_end_us', 'event_count', 'label', 'attack_class'] as const;

/** A float32 value as its shortest decimal that reads back to the same float32 (integers as integers). */
export function f32Text(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return '0';
  for (let p = 6; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

function valuesText(values: Float32Array): string {
  let s = '';
  for (let i = 0; i < values.length; i++) s += (i > 0 ? ',' : '') + f32Text(values[i]);
  return s;
}

export function vectorToNdjson(v: ActivityVector): string {
  const q = JSON.stringify;
  return (
    `{"schema":${q(SCHEMA_ID)},"containerId":${q(v.containerId)},"group":${q(v.group)},"image":${q(v.image)},"pod":${q(v.pod)},` +
    `"namespace":${q(v.namespace)},"intervalStart":${v.intervalStart},"intervalEnd":${v.intervalEnd},"eventCount":${v.eventCount},` +
    `"label":${v.label},"attackClass":${q(v.attackClass)},"values":[${valuesText(v.values)}]}`
  );
}

function csvCell(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length && !needs; i++) {
    const c = s.charCodeAt(i);
    needs = c === 44 || c === 34 || c === 10 || c === 13;
  }
  return needs ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvHeader(): string {
  return [...CSV_ID_COLUMNS, ...FEATURE_NAMES].join(',');
}

export function vectorToCsv(v: ActivityVector): string {
  return (
    [csvCell(v.containerId), csvCell(v.group), csvCell(v.image), csvCell(v.pod), csvCell(v.namespace), v.intervalStart, v.intervalEnd, v.eventCount, v.label, csvCell(v.attackClass)].join(',') +
    ',' +
    valuesText(v.values)
  );
}

/** The output format from a file name: `.csv` CSV, anything else (and `-`) NDJSON. */
export function vectorFormatOf(path: string): VectorFormat {
  return path.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson';
}
