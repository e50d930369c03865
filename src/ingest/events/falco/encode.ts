/**
 * SyscallEvent -> a Falco JSON output line, shaped like Falco's own per-event output (`json_output: true`,
 * `json_include_output_property: true`) for a catch-all syscall rule. For the simulator, replay and benchmarks,
 * and as the golden input of the decoder tests; decoding the line gives the event back (node, fields, ns time).
 */
import { flat, jsonString } from '../encode-util.js';
import type { SyscallEvent } from '../types.js';

/** Epoch microseconds to `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` and the integer nanoseconds text, exactly. */
export function usToNs(us: number): { iso: string; ns: string } {
  const sec = Math.floor(us / 1e6);
  let frac = Math.round((us - sec * 1e6) * 1000);
  if (frac > 999_999_999) frac = 999_999_999;
  const fracText = String(frac).padStart(9, '0');
  const iso = `${new Date(sec * 1000).toISOString().slice(0, 19)}.${fracText}Z`;
  return { iso, ns: sec > 0 ? `${sec}${fracText}` : String(frac) };
}

export interface FalcoEncodeOptions {
  rule?: string;
  priority?: string;
  /** Include the human-readable `output` string (default true, as Falco does). */
  output?: boolean;
}

const q = jsonString;

/** One event as a Falco JSON line (no newline), a flat string. */
export function encodeFalcoEvent(e: SyscallEvent, opts: FalcoEncodeOptions = {}): string {
  const { iso, ns } = usToNs(e.timeUs);
  const priority = opts.priority ?? 'Debug';
  // Falco writes every field of the rule's output template, null or "<NA>" when it has no value: one key set.
  const str = (v: string): string => (v ? q(v) : 'null');
  const int = (v: number): string => (v >= 0 ? String(v) : 'null');
  const f = [
    `"container.id":${q(e.containerId || 'host')}`,
    `"container.image.repository":${str(e.image)}`,
    `"evt.dir":${str(e.dir)}`,
    `"evt.rawres":${Number.isFinite(e.ret) ? e.ret : 'null'}`,
    `"evt.res":${Number.isFinite(e.ret) ? q(e.ret < 0 ? `E${-e.ret}` : 'SUCCESS') : 'null'}`,
    `"evt.time":${ns}`,
    `"evt.type":${q(e.syscall)}`,
    `"fd.cip":${str(e.srcAddr)}`,
    `"fd.cport":${int(e.srcPort)}`,
    `"fd.name":${str(e.fd)}`,
    `"fd.sip":${str(e.dstAddr)}`,
    `"fd.sport":${int(e.dstPort)}`,
    `"k8s.ns.name":${str(e.namespace)}`,
    `"k8s.pod.name":${str(e.pod)}`,
    `"proc.exepath":${str(e.exe)}`,
    `"proc.name":${q(e.process || '<NA>')}`,
    `"proc.pid":${int(e.pid)}`,
    `"proc.pname":${str(e.parent)}`,
    `"thread.tid":${int(e.tid)}`,
  ];
  const output =
    opts.output === false
      ? ''
      : `"output":${q(`${iso}: ${priority} syscall ${e.syscall} (proc=${e.process || '<NA>'} fd=${e.fd || '<NA>'} container=${e.containerId})`)},`;
  return flat(
    `{"hostname":${q(e.node || 'localhost')},${output}"priority":${q(priority)},"rule":${q(opts.rule ?? 'peregrine syscall events')},` +
      `"source":"syscall","tags":["peregrine"],"time":"${iso}","output_fields":{${f.join(',')}}}`,
  );
}
