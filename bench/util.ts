/** Helpers for the benchmark harness: child processes, medians, RSS sampling, machine description. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command and returns the JSON objects it printed, one per stdout line. */
export function jsonLines(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Record<string, unknown>[] {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs a command while sampling its RSS from /proc every `everyMs`; returns the samples in MiB. */
export async function sampleRss(cmd: string, args: string[], everyMs = 200): Promise<{ seconds: number; samples: number[]; code: number | null }> {
  const t0 = Date.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const samples: number[] = [];
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      if (m) samples.push(Number(m[1]) / 1024);
    } catch {
      // process already gone
    }
  }, everyMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.slice(-2000)}`);
  return { seconds: (Date.now() - t0) / 1000, samples, code };
}

export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

export function round(x: unknown, d = 3): number | null {
  if (typeof x !== 'number' || !Number.isFinite(x)) return null;
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

export const K8S_BENIGN = 'background_traffic_20230319T1802.pcap_Flow.first70pct.csv';
export const K8S_ATTACKS: readonly { file: string; label: string; name: string }[] = [
  { file: 'cve202013379_20230318T2159.pcap_Flow.csv', label: '1', name: 'CVE-2020-13379 (Grafana)' },
  { file: 'reconnaissance_20230319T1704.pcap_Flow.csv', label: '2', name: 'Node-RED reconnaissance' },
  { file: 'rce-reverse-shell_20230319T1710.pcap_Flow.csv', label: '3', name: 'Node-RED RCE (reverse shell)' },
  { file: 'attack-pods_20230319T1712.pcap_Flow.csv', label: '4', name: 'Node-RED container escape' },
  { file: 'cve202143798_20230309T0401.pcap_Flow.csv', label: '5', name: 'CVE-2021-43798 (Grafana path traversal)' },
];

/**
 * The honest k8s-flows split: the benign capture is already in time order, so its first 80 % trains and its last
 * 20 % (strictly later flows) joins the five attack captures as the test set. No row is on both sides.
 */
export function k8sSplit(dataDir: string, work: string): { train: string; test: string; trainRows: number; benignTestRows: number } | null {
  const dir = join(dataDir, 'k8s-flows');
  if (!existsSync(join(dir, K8S_BENIGN))) return null;
  const benign = readFileSync(join(dir, K8S_BENIGN), 'utf8').trimEnd().split('\n');
  const header = benign[0];
  const rows = benign.slice(1);
  const cut = Math.floor(rows.length * 0.8);
  const attackRows = K8S_ATTACKS.flatMap((a) => readFileSync(join(dir, a.file), 'utf8').trimEnd().split('\n').slice(1));
  const train = join(work, 'k8s-train.csv');
  const test = join(work, 'k8s-test.csv');
  writeFileSync(train, [header, ...rows.slice(0, cut)].join('\n') + '\n');
  writeFileSync(test, [header, ...rows.slice(cut), ...attackRows].join('\n') + '\n');
  return { train, test, trainRows: cut, benignTestRows: rows.length - cut };
}
