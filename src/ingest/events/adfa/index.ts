/**
 * ADFA-LD traces: one process trace per file, whitespace-separated i386 syscall numbers (see i386.ts). A trace
 * has no timestamps or process context: each number becomes an event with `timeUs` = its 0-based position,
 * `containerId` = the trace name (file name without extension) and image `adfa-ld`. Labels come from the folders:
 * a trace under a folder named `Attack_Data_Master` is an attack (class = the next folder without its `_<run>`
 * suffix, e.g. `Hydra_FTP_3` -> `Hydra_FTP`); every other trace is normal (`benign`). A token that is not a
 * non-negative integer is a bad record (its line is reported; skipped under --on-bad-row skip).
 */
import { basename, extname, sep } from 'node:path';
import type { BinaryLabel } from '../../types.js';
import { BatchCollector, bump, readTextChunks, type DecodeContext } from '../read.js';
import { blankEvent, type EventBatch, type SyscallEvent } from '../types.js';
import { i386Name } from './i386.js';

export const ATTACK_FOLDER = 'Attack_Data_Master';
export const ADFA_IMAGE = 'adfa-ld';

/** Label and class of a trace from its path. */
export function adfaLabel(file: string): { label: BinaryLabel; attackClass: string } {
  const parts = file.split(sep === '\\' ? /[\\/]/ : '/');
  const i = parts.lastIndexOf(ATTACK_FOLDER);
  if (i < 0) return { label: 0, attackClass: 'benign' };
  if (i >= parts.length - 2) return { label: 1, attackClass: 'attack' };
  const folder = parts[i + 1];
  let end = folder.length;
  while (end > 0 && folder.charCodeAt(end - 1) >= 48 && folder.charCodeAt(end - 1) <= 57) end--;
  const stripped = end < folder.length && end > 1 && folder.charCodeAt(end - 1) === 95 ? folder.slice(0, end - 1) : folder;
  return { label: 1, attackClass: stripped };
}

export function traceId(file: string): string {
  if (file === '-') return 'stdin';
  const b = basename(file);
  return b.slice(0, b.length - extname(b).length) || b;
}

const isWs = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12;

export async function* decodeAdfa(file: string, ctx: DecodeContext): AsyncGenerator<EventBatch> {
  const { label, attackClass } = adfaLabel(file);
  const id = traceId(file);
  const out = new BatchCollector(ctx.batchEvents);
  const stats = ctx.stats;
  let line = 1;
  let position = 0;
  let carry = '';
  let carryLine = 1;

  const token = (s: string, from: number, to: number, at: number): void => {
    if (to - from > 9) {
      ctx.bad(file, at, `not a syscall number: ${JSON.stringify(s.slice(from, Math.min(to, from + 20)))}`);
      return;
    }
    let n = 0;
    for (let i = from; i < to; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) {
        ctx.bad(file, at, `not a syscall number: ${JSON.stringify(s.slice(from, to))}`);
        return;
      }
      n = n * 10 + (c - 48);
    }
    const e: SyscallEvent = blankEvent(file, at);
    e.timeUs = position++;
    e.containerId = id;
    e.image = ADFA_IMAGE;
    e.syscall = i386Name(n);
    e.label = label;
    e.attackClass = attackClass;
    out.push(e);
    stats.rowsRead++;
  };

  const flush = (events: SyscallEvent[]): EventBatch => {
    stats.events += events.length;
    bump(stats.classCounts, attackClass, events.length);
    return { file, events, resources: [] };
  };

  for await (const chunk of readTextChunks(file, ctx)) {
    const s = carry + chunk;
    let i = 0;
    let start = -1;
    let startLine = carry.length > 0 ? carryLine : line;
    if (carry.length > 0) start = 0;
    carry = '';
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (isWs(c)) {
        if (start >= 0) {
          token(s, start, i, startLine);
          start = -1;
        }
        if (c === 10) line++;
      } else if (start < 0) {
        start = i;
        startLine = line;
      }
    }
    if (start >= 0) {
      carry = s.slice(start);
      carryLine = startLine;
      if (carry.length > 64) {
        ctx.bad(file, startLine, `not a syscall number: ${JSON.stringify(carry.slice(0, 20))}...`);
        carry = '';
      }
    }
    for (const events of out.take(false)) yield flush(events);
  }
  if (carry.length > 0) token(carry, 0, carry.length, carryLine);
  for (const events of out.take(true)) yield flush(events);
}
