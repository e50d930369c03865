/**
 * Prometheus exposition text of cAdvisor container metrics (`container_cpu_usage_seconds_total`,
 * `container_memory_working_set_bytes`, `container_network_{receive,transmit}_bytes_total`) to one sample per
 * container and scrape. Malformed sample lines are a one-line PGN_ERR_BAD_ROW naming file:line.
 */
import { PeregrineError } from '../../core/errors.js';
import type { ContainerSample } from '../../simulate/cluster/formats.js';

const METRIC_FIELD: Record<string, 'cpuSeconds' | 'memoryBytes' | 'rxBytes' | 'txBytes'> = {
  container_cpu_usage_seconds_total: 'cpuSeconds',
  container_memory_working_set_bytes: 'memoryBytes',
  container_network_receive_bytes_total: 'rxBytes',
  container_network_transmit_bytes_total: 'txBytes',
};

/** `name{labels} value [timestampMs]` -> parts, or null for other metric lines. Label values may hold escapes. */
function sampleLine(line: string, where: string): { name: string; labels: Record<string, string>; value: number; timeMs: number } | null {
  const brace = line.indexOf('{');
  const sp = line.indexOf(' ');
  const name = brace >= 0 && brace < sp ? line.slice(0, brace) : line.slice(0, sp);
  const labels: Record<string, string> = {};
  let p = name.length;
  if (line[p] === '{') {
    p++;
    while (line[p] !== '}') {
      const eq = line.indexOf('=', p);
      if (eq < 0 || line[eq + 1] !== '"') throw new PeregrineError('PGN_ERR_BAD_ROW', 'malformed label set', { where });
      const key = line.slice(p, eq).trim();
      let q = eq + 2;
      let val = '';
      while (q < line.length && line[q] !== '"') {
        if (line[q] === '\\') {
          q++;
          val += line[q] === 'n' ? '\n' : line[q];
        } else val += line[q];
        q++;
      }
      if (q >= line.length) throw new PeregrineError('PGN_ERR_BAD_ROW', 'unterminated label value', { where });
      labels[key] = val;
      p = q + 1;
      if (line[p] === ',') p++;
    }
    p++;
  }
  const rest = line.slice(p).trim().split(/\s+/);
  const value = Number(rest[0]);
  if (rest[0] === undefined || (Number.isNaN(value) && rest[0] !== 'NaN')) throw new PeregrineError('PGN_ERR_BAD_ROW', `bad sample value "${rest[0] ?? ''}"`, { where });
  return { name, labels, value, timeMs: rest[1] !== undefined ? Number(rest[1]) : NaN };
}

/** A scrape's exposition text to container samples (one per container, the four cAdvisor series merged). */
export function parseExposition(text: string, file = '-'): { samples: ContainerSample[]; timeMs: number } {
  const byId = new Map<string, ContainerSample>();
  let timeMs = NaN;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const s = sampleLine(line, `${file}:${i + 1}`);
    if (!s) return;
    const field = METRIC_FIELD[s.name];
    if (!field) return;
    if (Number.isFinite(s.timeMs)) timeMs = s.timeMs;
    const key = `${s.labels.namespace}/${s.labels.pod}/${s.labels.name}`;
    let c = byId.get(key);
    if (!c) {
      c = { namespace: s.labels.namespace ?? '', pod: s.labels.pod ?? '', container: s.labels.container ?? '', image: s.labels.image ?? '', containerId: s.labels.name ?? '', node: s.labels.node ?? '', cpuSeconds: 0, memoryBytes: 0, rxBytes: 0, txBytes: 0 };
      byId.set(key, c);
    }
    c[field] = s.value;
  });
  return { samples: [...byId.values()], timeMs };
}
