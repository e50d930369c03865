/** Helpers for the benchmark harness: child processes, medians, RSS sampling, machine description. */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
