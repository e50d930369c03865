import { Command, Option } from 'commander';
import { PeregrineError } from '../core/errors.js';
import type { ForensicRecord } from '../publish/types.js';
import { parseNumber } from './common.js';

/**
 * `peregrine forensics query`: reads the SQLite forensic store the `sqlite` sink writes (summaries and event logs),
 * filtered by container, time and kind, oldest first. Text to stdout (one record a line), or one JSON object.
 */

const ISO_PREFIX = /^\d{4}-\d{2}-\d{2}/;

/** An ISO 8601 time option -> epoch ms, with the one-line usage error otherwise. */
export function parseIsoTime(name: string) {
  return (value: string): number => {
    const t = Date.parse(value);
    if (!ISO_PREFIX.test(value.trim()) || !Number.isFinite(t)) {
      throw new PeregrineError('PGN_ERR_USAGE', `invalid time "${value}"`, { where: name, hint: 'expected an ISO 8601 time, e.g. 2024-01-02T10:00:00Z' });
    }
    return t;
  };
}

const num = (x: number | null) => (x === null ? 'n/a' : String(Number(x.toPrecision(6))));

/** One text line per record: TIME KIND CONTAINER DETAIL. */
export function formatRecord(r: ForensicRecord, containerWidth: number): string {
  if (r.kind === 'summary') {
    const parts = [
      `group=${r.group}`,
      `score=${num(r.score)}`,
      `threshold=${num(r.threshold)}`,
      r.unstable ? 'UNSTABLE' : 'stable',
      `events=${r.eventCount}`,
    ];
    if (r.fullLog) parts.push('full-log');
    if (r.contextIntervals > 0) parts.push(`context=${r.contextIntervals}`);
    if (r.droppedEvents > 0) parts.push(`dropped=${r.droppedEvents}`);
    if (r.modelVersion !== undefined) parts.push(`model=${r.modelVersion}`);
    return `${new Date(r.intervalStart).toISOString()}  summary  ${r.containerId.padEnd(containerWidth)}  ${parts.join(' ')}`;
  }
  const time = new Date(Math.floor(r.timeNs / 1e6)).toISOString();
  return `${time}  event    ${r.containerId.padEnd(containerWidth)}  #${r.offset} ${r.reason} ${r.line}`;
}

interface QueryOptions {
  db: string;
  container?: string;
  since?: number;
  until?: number;
  kind?: 'summary' | 'event';
  limit: number;
  json?: boolean;
}

function queryCommand(): Command {
  const cmd = new Command('query')
    .description('print forensic records (interval summaries, event logs) from the SQLite store, oldest first')
    .requiredOption('--db <file>', 'the SQLite forensic store (the sqlite sink `path`)')
    .option('--container <id>', 'only this container id')
    .option('--since <iso>', 'from this time on (inclusive; ISO 8601)', parseIsoTime('--since'))
    .option('--until <iso>', 'before this time (exclusive; ISO 8601)', parseIsoTime('--until'))
    .addOption(new Option('--kind <kind>', 'only summaries or only events').choices(['summary', 'event']))
    .option('--limit <n>', 'at most N records', parseNumber('--limit', { integer: true, min: 1, max: 1_000_000 }), 100)
    .option('--json', 'print one JSON object: {db, query, count, truncated, records}')
    .action(async (o: QueryOptions) => {
      if (o.since !== undefined && o.until !== undefined && o.since >= o.until) {
        throw new PeregrineError('PGN_ERR_USAGE', '--since must be before --until', { where: '--since' });
      }
      // loaded here, so other commands never load the native SQLite module
      const { openStoreForRead, queryForensics } = await import('../publish/sinks/sqlite/store.js');
      const db = openStoreForRead(o.db);
      let result;
      try {
        result = queryForensics(db, { containerId: o.container, sinceMs: o.since, untilMs: o.until, kind: o.kind, limit: o.limit });
      } finally {
        db.close();
      }
      if (o.json) {
        const query = {
          container: o.container ?? null,
          since: o.since === undefined ? null : new Date(o.since).toISOString(),
          until: o.until === undefined ? null : new Date(o.until).toISOString(),
          kind: o.kind ?? null,
          limit: o.limit,
        };
        process.stdout.write(JSON.stringify({ db: o.db, query, count: result.records.length, truncated: result.truncated, records: result.records }, null, 2) + '\n');
        return;
      }
      const width = Math.max(9, ...result.records.map((r) => r.containerId.length));
      let out = `${'TIME'.padEnd(24)}  KIND     ${'CONTAINER'.padEnd(width)}  DETAIL\n`;
      for (const r of result.records) out += formatRecord(r, width) + '\n';
      process.stdout.write(out);
      const more = result.truncated ? ` (more match: raise --limit or narrow with --since/--until/--container)` : '';
      process.stderr.write(`${result.records.length} record(s)${more}\n`);
    });
  // Parse errors of this subcommand in the one-line form of docs/errors.md (main.ts configures top-level commands).
  return cmd.exitOverride().configureOutput({
    writeErr: (s) => process.stderr.write(s),
    outputError: (s, write) => {
      const what = s
        .replace(/^error: /, '')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
        .join(' ');
      write(`peregrine: PGN_ERR_USAGE: ${what} (see \`peregrine forensics query --help\`)\n`);
    },
  });
}

export function forensicsCommand(): Command {
  return new Command('forensics').description('query the forensic store (summaries and event logs the publisher shipped)').addCommand(queryCommand());
}
