/**
 * Evidence kept per container for the findings: the recent distinct events rendered as short lines (the window's
 * key events) and the process lineage of the latest exec. Bounded: `perContainer` lines per container and
 * `maxContainers` containers (least recently active forgotten first).
 */
import type { SyscallEvent } from '../../ingest/events/types.js';

/** Syscalls worth showing a human: process, network, permission and file-creation activity. */
const NOTABLE = new Set([
  'execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork', 'connect', 'accept', 'accept4', 'bind', 'listen', 'chmod', 'fchmod',
  'fchmodat', 'chown', 'setuid', 'setgid', 'ptrace', 'mount', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'kill', 'dup2', 'dup3',
  'init_module', 'finit_module', 'memfd_create', 'mprotect', 'socket',
]);

interface ContainerEvidence {
  node: string;
  lines: string[];
  seen: Set<string>;
  /** process name -> parent name, from exec-like events. */
  parents: Map<string, string>;
  lastExec: string;
  lastTimeUs: number;
}

export function renderEvent(e: SyscallEvent): string {
  const what = e.exe || e.fd;
  const target = e.dstPort >= 0 && e.dstAddr ? `${e.dstAddr}:${e.dstPort}` : what;
  const failed = Number.isFinite(e.ret) && e.ret < 0 ? ` = ${e.ret}` : '';
  const by = e.parent ? ` (parent ${e.parent})` : '';
  return `${e.syscall || 'event'} ${target}`.trim() + ` by ${e.process || '?'}${by}${failed}`;
}

export class EvidenceTracker {
  private readonly containers = new Map<string, ContainerEvidence>();

  constructor(
    private readonly perContainer = 64,
    private readonly maxContainers = 10_000,
  ) {}

  observe(e: SyscallEvent): void {
    let c = this.containers.get(e.containerId);
    if (c) {
      // move to the back: Map order is the LRU order
      this.containers.delete(e.containerId);
    } else {
      c = { node: e.node, lines: [], seen: new Set(), parents: new Map(), lastExec: '', lastTimeUs: 0 };
      if (this.containers.size >= this.maxContainers) {
        const oldest = this.containers.keys().next().value;
        if (oldest !== undefined) this.containers.delete(oldest);
      }
    }
    this.containers.set(e.containerId, c);
    if (e.node) c.node = e.node;
    c.lastTimeUs = e.timeUs;
    const exec = e.syscall === 'execve' || e.syscall === 'execveat';
    if (exec && e.process) {
      if (e.parent && e.parent !== e.process) c.parents.set(e.process, e.parent);
      c.lastExec = e.process;
      if (c.parents.size > 256) c.parents.delete(c.parents.keys().next().value as string);
    }
    const failedSensitive = Number.isFinite(e.ret) && e.ret < 0 && (e.fd.startsWith('/etc') || e.fd.startsWith('/proc') || e.fd.startsWith('/root'));
    const sensitiveOpen = (e.syscall === 'openat' || e.syscall === 'open') && (e.fd.startsWith('/etc/shadow') || e.fd.startsWith('/etc/passwd') || e.fd.startsWith('/tmp/'));
    if (!NOTABLE.has(e.syscall) && !failedSensitive && !sensitiveOpen) return;
    const line = renderEvent(e);
    if (c.seen.has(line)) return;
    c.seen.add(line);
    c.lines.push(line);
    if (c.lines.length > this.perContainer) {
      const gone = c.lines.shift() as string;
      c.seen.delete(gone);
    }
  }

  keyEvents(containerId: string, max = 20): string[] {
    const c = this.containers.get(containerId);
    return c ? c.lines.slice(-max) : [];
  }

  /** Outermost first, e.g. [`nginx`, `sh`, `curl`]; empty when no exec was seen. */
  lineage(containerId: string): string[] {
    const c = this.containers.get(containerId);
    if (!c || c.lastExec === '') return [];
    const chain = [c.lastExec];
    const seen = new Set(chain);
    let p = c.parents.get(c.lastExec);
    while (p !== undefined && !seen.has(p) && chain.length < 12) {
      chain.unshift(p);
      seen.add(p);
      p = c.parents.get(p);
    }
    return chain;
  }

  node(containerId: string): string {
    return this.containers.get(containerId)?.node ?? '';
  }

  get size(): number {
    return this.containers.size;
  }
}
