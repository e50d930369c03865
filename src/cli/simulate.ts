import { Command } from 'commander';
import { PeregrineError } from '../core/errors.js';
import { MODALITIES, writeClusterDataset, type Modality } from '../simulate/cluster/dataset.js';
import { scenarioNames, scenarioSeconds } from '../simulate/cluster/scenarios.js';
import type { ScenarioRun } from '../simulate/cluster/stream.js';
import { info, parseNumber, progressBar } from './common.js';

/** `90`, `90s`, `30m`, `2h`, `1d` -> seconds; a one-line usage error otherwise. */
export function parseDuration(where: string) {
  return (value: string): number => {
    const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(value.trim());
    const n = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's'] : NaN;
    if (!(n > 0) || !Number.isFinite(n)) throw new PeregrineError('PGN_ERR_USAGE', `invalid duration "${value}"`, { where, hint: 'use seconds or a number with s, m, h or d (90, 30m, 2h)' });
    return n;
  };
}

/**
 * `cryptominer@60,portscan` -> scenario runs: `@S` starts a scenario S seconds in; without it, scenarios follow one
 * another with 60 s of normal time between them. `all` expands to every scenario.
 */
export function parseScenarioList(list: string, durationSeconds: number): ScenarioRun[] {
  const items = list.split(',').map((s) => s.trim()).filter(Boolean);
  const names = items.flatMap((it) => (it === 'all' ? scenarioNames() : [it]));
  let at = 60;
  return names.map((item) => {
    const [name, start] = item.split('@');
    const len = scenarioSeconds(name);
    const startSeconds = start === undefined ? at : Number(start);
    if (!(startSeconds >= 0 && startSeconds < durationSeconds)) {
      throw new PeregrineError('PGN_ERR_USAGE', `scenario ${name} would start at ${start ?? at} s, not inside the ${durationSeconds} s simulated`, { where: '--scenarios', hint: `lengthen --duration (the list needs about ${Math.ceil(at + len)} s) or give explicit starts such as ${name}@60` });
    }
    at = Math.max(at, startSeconds + len + 60);
    return { name, startSeconds };
  });
}

function parseModalities(v: string): Modality[] {
  const out = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const m of out) if (!(MODALITIES as readonly string[]).includes(m)) throw new PeregrineError('PGN_ERR_USAGE', `unknown modality "${m}"`, { where: '--modalities', hint: `choose from: ${MODALITIES.join(', ')}` });
  return out as Modality[];
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description('write a labelled telemetry dataset of a simulated cluster: Falco/Tetragon/NDJSON syscalls, CICFlowMeter flows, Prometheus metrics, audit events, labels.json')
    .requiredOption('--out <dir>', 'output folder (created)')
    .option('--nodes <n>', 'nodes, control plane included (2-5000)', parseNumber('--nodes', { integer: true, min: 2, max: 5000 }), 3)
    .option('--pods-per-node <n>', 'application pods per worker node', parseNumber('--pods-per-node', { integer: true, min: 1, max: 200 }), 10)
    .option('--duration <d>', 'simulated time: seconds or 30m / 2h', parseDuration('--duration'), 600)
    .option('--seed <n>', 'random seed (same seed, same files)', parseNumber('--seed', { integer: true }), 1)
    .option('--scenarios <list>', `comma-separated scenarios, optional @startSeconds, or all: ${scenarioNames().join(', ')}`, '')
    .option('--rate-scale <x>', 'multiply every container syscall rate', parseNumber('--rate-scale', { min: 0.001, max: 100 }), 1)
    .option('--modalities <list>', `files to write (default all): ${MODALITIES.join(',')}`)
    .option('--quiet', 'no progress or summary on stderr')
    .action(async (o: { out: string; nodes: number; podsPerNode: number; duration: number; seed: number; scenarios: string; rateScale: number; modalities?: string; quiet?: boolean }) => {
      const scenarios = o.scenarios ? parseScenarioList(o.scenarios, o.duration) : [];
      const bar = progressBar('simulate', o.quiet);
      const r = await writeClusterDataset(o.out, {
        seed: o.seed, nodes: o.nodes, podsPerNode: o.podsPerNode, durationSeconds: o.duration, scenarios, rateScale: o.rateScale,
        modalities: o.modalities ? parseModalities(o.modalities) : undefined, onProgress: (d, t) => bar.update(d, t),
      }).finally(() => bar.stop());
      const parts = Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ');
      info(o.quiet, `wrote ${r.dir} in ${r.seconds.toFixed(1)} s: ${parts}; labels in ${r.labelsPath}`);
    });
}
