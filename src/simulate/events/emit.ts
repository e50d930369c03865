/**
 * Building generated syscall events: container identities, processes, and an emitter that appends SyscallEvents
 * (the same object shape the decoders produce) to the current output array.
 */
import { fmix32, fnv1a32 } from '../../features/summarizers/syscall/hash.js';
import type { BinaryLabel, SyscallEvent } from '../../ingest/events/types.js';

export interface ContainerIdentity {
  /** 12 hex characters, as Falco and crictl print container ids. */
  containerId: string;
  image: string;
  pod: string;
  namespace: string;
  node: string;
  /** The pod's IP (server side of the HTTP connections). */
  podIp: string;
}

/** A process (thread) of the container. */
export interface Proc {
  name: string;
  exe: string;
  parent: string;
  pid: number;
  tid: number;
}

/** Ground truth of the events an activity emits. */
export interface Tag {
  label: BinaryLabel;
  attackClass: string;
}

export const BENIGN: Tag = { label: 0, attackClass: 'benign' };

/** A stable 32-bit hash of a seed and a list of strings/numbers (independent streams per container and purpose). */
export function streamSeed(seed: number, ...parts: (string | number)[]): number {
  let h = fmix32((seed ^ 0x5bd1e995) >>> 0);
  for (const p of parts) h = fmix32((h ^ fnv1a32(String(p))) >>> 0);
  return h;
}

const HEX = '0123456789abcdef';
/** Kubernetes' random-suffix alphabet (no vowels, no 0/1/3). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

function pick(alphabet: string, h: number, n: number): string {
  let s = '';
  let x = h;
  for (let i = 0; i < n; i++) {
    x = fmix32((x + 0x9e3779b9) >>> 0);
    s += alphabet[x % alphabet.length];
  }
  return s;
}

export interface IdentityOptions {
  /** Number of distinct images (workloads) the containers are spread over, round robin (default 1). */
  images?: number;
  namespace?: string;
  nodes?: number;
}

/**
 * The identity of container `index` of a generated cluster: `nginx:1.25.3` when there is one image, else
 * `registry.example/web-<k>/nginx:1.25.3` (k = index mod images), Deployment-style pod names, 12-hex ids.
 */
export function containerIdentity(seed: number, index: number, options: IdentityOptions = {}): ContainerIdentity {
  const images = Math.max(1, options.images ?? 1);
  const k = index % images;
  const h = streamSeed(seed, 'container', index);
  const workload = images === 1 ? 'web' : `web-${k}`;
  return {
    containerId: pick(HEX, h, 12),
    image: images === 1 ? 'nginx:1.25.3' : `registry.example/${workload}/nginx:1.25.3`,
    pod: `${workload}-${pick(SAFE, streamSeed(seed, 'rs', k), 10)}-${pick(SAFE, h, 5)}`,
    namespace: options.namespace ?? 'web',
    node: `node-${1 + (index % Math.max(1, options.nodes ?? 3))}`,
    podIp: `10.244.${1 + (index >> 8)}.${2 + (index & 0xff) % 250}`,
  };
}

/** Appends events of one container; `out` is swapped per time slice by the scenario driver. */
export class Emitter {
  out: SyscallEvent[] = [];

  constructor(readonly id: ContainerIdentity) {}

  /** One complete call (no direction: entry and exit merged, as LID-DS and the compact form have it). */
  call(t: number, p: Proc, syscall: string, ret: number, fd: string, tag: Tag): SyscallEvent {
    const id = this.id;
    const e: SyscallEvent = {
      timeUs: Math.round(t),
      node: id.node,
      containerId: id.containerId,
      image: id.image,
      pod: id.pod,
      namespace: id.namespace,
      process: p.name,
      exe: p.exe,
      parent: p.parent,
      pid: p.pid,
      tid: p.tid,
      syscall,
      dir: '',
      ret,
      fd,
      srcAddr: '',
      srcPort: -1,
      dstAddr: '',
      dstPort: -1,
      label: tag.label,
      attackClass: tag.attackClass,
      source: GENERATED,
    };
    this.out.push(e);
    return e;
  }

  /** A call on a connection: the fd name is the socket tuple, endpoints filled (destination = server side). */
  net(t: number, p: Proc, syscall: string, ret: number, src: string, sport: number, dst: string, dport: number, tag: Tag): SyscallEvent {
    const e = this.call(t, p, syscall, ret, `${src}:${sport}->${dst}:${dport}`, tag);
    e.srcAddr = src;
    e.srcPort = sport;
    e.dstAddr = dst;
    e.dstPort = dport;
    return e;
  }
}

const GENERATED = Object.freeze({ file: 'generated', line: 0 });
