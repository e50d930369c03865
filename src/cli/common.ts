import { Option } from 'commander';
import cliProgress from 'cli-progress';
import { PeregrineError } from '../core/errors.js';
import type { OnBadRow, ReadStats } from '../ingest/types.js';
import { INPUT_FORMATS } from '../ingest/input.js';

/** Shared option parsing and console helpers for the commands. */

export const onBadRowOption = () =>
  new Option('--on-bad-row <mode>', 'what to do with a malformed row: fail (stop, exit 3) or skip (count and report)')
    .choices(['skip', 'fail'])
    .default('fail');

export const formatOption = () =>
  new Option('--format <format>', 'input format: flow tables, or syscall events summarised into activity vectors').choices([...INPUT_FORMATS]);

/** Collects repeatable `--param key=value` options into an object; values parse as JSON when they can. */
export function collectKeyValue(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = value.indexOf('=');
  if (eq <= 0) {
    throw new PeregrineError('PGN_ERR_USAGE', `expected key=value, got "${value}"`, { hint: 'for example --param nEstimators=200' });
  }
  const key = value.slice(0, eq).trim();
  const raw = value.slice(eq + 1).trim();
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // keep as string (e.g. gamma=scale)
  }
  return { ...previous, [key]: parsed };
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseNumber(name: string, opts: { min?: number; max?: number; integer?: boolean } = {}) {
  return (value: string): number => {
    const n = Number(value);
    const bad =
      value.trim() === '' ||
      !Number.isFinite(n) ||
      (opts.integer && !Number.isInteger(n)) ||
      (opts.min !== undefined && n < opts.min) ||
      (opts.max !== undefined && n > opts.max);
    if (bad) {
      const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
      throw new PeregrineError('PGN_ERR_USAGE', `invalid value "${value}"`, {
        where: name,
        hint: `expected ${opts.integer ? 'an integer' : 'a number'}${range ? ' ' + range : ''}`,
      });
    }
    return n;
  };
}

export function asOnBadRow(v: unknown): OnBadRow {
  return v === 'skip' ? 'skip' : 'fail';
}

/** Messages go to stderr so stdout stays clean for reports and JSON. */
export function info(quiet: boolean | undefined, msg: string): void {
  if (!quiet) process.stderr.write(msg + '\n');
}

/** A progress bar on stderr when it is a terminal (and not --quiet); a no-op otherwise. */
export function progressBar(label: string, quiet?: boolean): { update(done: number, total: number): void; stop(): void } {
  if (quiet || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label.padEnd(10)} [{bar}] {percentage}% | {value}/{total} {unit}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      const unit = total > 1e6 ? 'bytes' : 'units';
      if (!started) {
        bar.start(total, 0, { unit });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { unit });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** One line summarising what a read skipped or repaired, so nothing is dropped silently. */
export function describeReadStats(stats: ReadStats): string[] {
  const lines: string[] = [];
  if (stats.rowsSkipped > 0) {
    lines.push(`skipped ${stats.rowsSkipped} bad row(s) of ${stats.rowsRead + stats.rowsSkipped}:`);
    for (const b of stats.badRows) lines.push(`  ${b.file}:${b.line}: ${b.reason}`);
    if (stats.rowsSkipped > stats.badRows.length) lines.push(`  ... and ${stats.rowsSkipped - stats.badRows.length} more`);
  }
  const nf = Object.entries(stats.nonFinite).filter(([, n]) => n > 0);
  if (nf.length > 0) {
    const total = nf.reduce((s, [, n]) => s + n, 0);
    const top = nf.sort((a, b) => b[1] - a[1]).slice(0, 4).map(([c, n]) => `${c}: ${n}`).join(', ');
    lines.push(`non-finite cells imputed: ${total} (${top}${nf.length > 4 ? ', ...' : ''})`);
  }
  return lines;
}
