/**
 * Workload profiles at the syscall and resource level: the processes of each kind of container, the request
 * sequences it runs (syscall, return value, file or socket), their rates at normal load, the CPU and memory it
 * uses, and what it does when it starts. A request is a fixed sequence, so the bigrams the summarizer hashes are
 * those of real request handling, not random mixes.
 *
 * fd tokens: `$in` an incoming connection from one of the pod's clients to its service port, `$out:<workload>` a
 * connection to that workload's Service (same shop), `$dns` to kube-dns. Everything else is a literal path.
 */
import type { SysProfile } from './topology.js';

export interface ProcSpec {
  name: string;
  exe: string;
  parent: string;
  pid: number;
}

/** [process index, syscall, return value, fd token or path]. */
export type Step = readonly [number, string, number, string];

export interface SequenceSpec {
  weight: number;
  steps: readonly Step[];
}

export interface ProfileSpec {
  procs: readonly ProcSpec[];
  /** Requests (sequences) per second per pod at load 1. */
  requestsPerSecond: number;
  sequences: readonly SequenceSpec[];
  /** What the container does in its first second (restarts, rollouts). */
  startup: readonly Step[];
  /** CPU cores and working-set bytes at load 1. */
  cpuCores: number;
  memoryBytes: number;
}

const shim = 'containerd-shim';
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';

const nginx: ProfileSpec = {
  procs: [
    { name: 'nginx', exe: '/usr/sbin/nginx', parent: shim, pid: 1 },
    { name: 'nginx', exe: '/usr/sbin/nginx', parent: 'nginx', pid: 29 },
    { name: 'nginx', exe: '/usr/sbin/nginx', parent: 'nginx', pid: 30 },
  ],
  requestsPerSecond: 40,
  sequences: [
    { weight: 0.62, steps: [[1, 'epoll_wait', 1, ''], [1, 'accept4', 12, '$in'], [1, 'recvfrom', 412, '$in'], [1, 'openat', 13, '/usr/share/nginx/html/index.html'], [1, 'fstat', 0, '/usr/share/nginx/html/index.html'], [1, 'sendfile', 3120, '$in'], [1, 'write', 96, '/var/log/nginx/access.log'], [1, 'close', 0, '/usr/share/nginx/html/index.html'], [1, 'close', 0, '$in']] },
    { weight: 0.3, steps: [[2, 'epoll_wait', 1, ''], [2, 'accept4', 12, '$in'], [2, 'recvfrom', 388, '$in'], [2, 'connect', -115, '$out:api'], [2, 'writev', 402, '$out:api'], [2, 'recvfrom', 1460, '$out:api'], [2, 'writev', 1520, '$in'], [2, 'write', 101, '/var/log/nginx/access.log'], [2, 'close', 0, '$out:api'], [2, 'close', 0, '$in']] },
    { weight: 0.05, steps: [[1, 'epoll_wait', 1, ''], [1, 'accept4', 12, '$in'], [1, 'recvfrom', 390, '$in'], [1, 'connect', -115, '$out:orders'], [1, 'writev', 420, '$out:orders'], [1, 'recvfrom', 2890, '$out:orders'], [1, 'writev', 2950, '$in'], [1, 'close', 0, '$out:orders'], [1, 'close', 0, '$in']] },
    { weight: 0.03, steps: [[2, 'accept4', 12, '$in'], [2, 'recvfrom', 377, '$in'], [2, 'openat', -2, '/usr/share/nginx/html/favicon.ico'], [2, 'writev', 153, '$in'], [2, 'write', 99, '/var/log/nginx/access.log'], [2, 'close', 0, '$in']] },
  ],
  startup: [[0, 'execve', 0, '/usr/sbin/nginx'], [0, 'openat', 3, LIBC], [0, 'openat', 4, '/etc/nginx/nginx.conf'], [0, 'openat', 5, '/etc/nginx/conf.d/default.conf'], [0, 'socket', 6, ''], [0, 'bind', 0, ''], [0, 'listen', 0, ''], [0, 'clone', 29, ''], [0, 'clone', 30, '']],
  cpuCores: 0.05,
  memoryBytes: 24e6,
};

const nodeApi = (name: string): ProfileSpec => ({
  procs: [
    { name: 'node', exe: '/usr/local/bin/node', parent: shim, pid: 1 },
    { name: 'node', exe: '/usr/local/bin/node', parent: shim, pid: 7 },
  ],
  requestsPerSecond: name === 'worker' ? 6 : 25,
  sequences:
    name === 'worker'
      ? [
          { weight: 0.7, steps: [[0, 'epoll_wait', 1, ''], [0, 'write', 38, '$out:redis'], [0, 'read', 214, '$out:redis'], [0, 'write', 180, '$out:postgres'], [0, 'read', 96, '$out:postgres'], [1, 'futex', 0, ''], [0, 'write', 52, '$out:redis'], [0, 'read', 5, '$out:redis']] },
          { weight: 0.3, steps: [[0, 'epoll_wait', 0, ''], [0, 'write', 14, '$out:redis'], [0, 'read', 7, '$out:redis'], [0, 'clock_gettime', 0, '']] },
        ]
      : [
          { weight: 0.7, steps: [[0, 'epoll_wait', 1, ''], [0, 'accept4', 21, '$in'], [0, 'read', 402, '$in'], [0, 'write', 44, '$out:redis'], [0, 'read', 312, '$out:redis'], [1, 'futex', 0, ''], [0, 'writev', 1460, '$in'], [0, 'close', 0, '$in']] },
          { weight: 0.3, steps: [[0, 'epoll_wait', 1, ''], [0, 'accept4', 21, '$in'], [0, 'read', 420, '$in'], [0, 'write', 230, '$out:postgres'], [0, 'read', 1210, '$out:postgres'], [1, 'futex', 0, ''], [0, 'writev', 1460, '$in'], [0, 'close', 0, '$in']] },
        ],
  startup: [[0, 'execve', 0, '/usr/local/bin/node'], [0, 'openat', 3, LIBC], [0, 'openat', 17, '/app/package.json'], [0, 'openat', 18, '/app/dist/server.js'], [0, 'connect', -115, '$dns'], [0, 'socket', 19, ''], [0, 'bind', 0, ''], [0, 'listen', 0, '']],
  cpuCores: name === 'worker' ? 0.04 : 0.08,
  memoryBytes: 90e6,
});

const javaApi: ProfileSpec = {
  procs: [
    { name: 'java', exe: '/opt/java/openjdk/bin/java', parent: shim, pid: 1 },
    { name: 'java', exe: '/opt/java/openjdk/bin/java', parent: shim, pid: 41 },
    { name: 'java', exe: '/opt/java/openjdk/bin/java', parent: shim, pid: 42 },
  ],
  requestsPerSecond: 18,
  sequences: [
    { weight: 0.8, steps: [[1, 'epoll_wait', 1, ''], [1, 'accept', 31, '$in'], [2, 'futex', 0, ''], [2, 'read', 512, '$in'], [2, 'write', 244, '$out:postgres'], [2, 'read', 2048, '$out:postgres'], [2, 'futex', 0, ''], [2, 'write', 2400, '$in'], [2, 'close', 0, '$in']] },
    { weight: 0.2, steps: [[0, 'futex', -110, ''], [0, 'clock_gettime', 0, ''], [0, 'openat', 44, '/proc/self/stat'], [0, 'read', 312, '/proc/self/stat'], [0, 'close', 0, '/proc/self/stat']] },
  ],
  startup: [[0, 'execve', 0, '/opt/java/openjdk/bin/java'], [0, 'openat', 3, LIBC], [0, 'openat', 4, '/opt/java/openjdk/lib/modules'], [0, 'openat', 5, '/app/orders.jar'], [0, 'socket', 6, ''], [0, 'bind', 0, ''], [0, 'listen', 0, '']],
  cpuCores: 0.12,
  memoryBytes: 380e6,
};

const PG = '/var/lib/postgresql/data';
const postgres: ProfileSpec = {
  procs: [
    { name: 'postgres', exe: '/usr/lib/postgresql/16/bin/postgres', parent: shim, pid: 1 },
    { name: 'postgres', exe: '/usr/lib/postgresql/16/bin/postgres', parent: 'postgres', pid: 63 },
    { name: 'postgres', exe: '/usr/lib/postgresql/16/bin/postgres', parent: 'postgres', pid: 27 },
  ],
  requestsPerSecond: 30,
  sequences: [
    { weight: 0.75, steps: [[1, 'epoll_wait', 1, ''], [1, 'recvfrom', 230, '$in'], [1, 'pread64', 8192, `${PG}/base/16384/2619`], [1, 'lseek', 0, `${PG}/base/16384/16402`], [1, 'sendto', 1210, '$in']] },
    { weight: 0.25, steps: [[1, 'recvfrom', 180, '$in'], [1, 'pwrite64', 8192, `${PG}/pg_wal/00000001000000000000000A`], [1, 'fdatasync', 0, `${PG}/pg_wal/00000001000000000000000A`], [1, 'sendto', 96, '$in'], [2, 'kill', 0, '']] },
  ],
  startup: [[0, 'execve', 0, '/usr/lib/postgresql/16/bin/postgres'], [0, 'openat', 3, `${PG}/postgresql.conf`], [0, 'openat', 4, `${PG}/pg_hba.conf`], [0, 'socket', 5, ''], [0, 'bind', 0, ''], [0, 'listen', 0, '']],
  cpuCores: 0.1,
  memoryBytes: 210e6,
};

const redis: ProfileSpec = {
  procs: [{ name: 'redis-server', exe: '/usr/local/bin/redis-server', parent: shim, pid: 1 }],
  requestsPerSecond: 60,
  sequences: [
    { weight: 0.95, steps: [[0, 'epoll_wait', 1, ''], [0, 'read', 44, '$in'], [0, 'write', 312, '$in']] },
    { weight: 0.05, steps: [[0, 'epoll_wait', 0, ''], [0, 'openat', 9, '/proc/1/stat'], [0, 'read', 318, '/proc/1/stat'], [0, 'close', 0, '/proc/1/stat']] },
  ],
  startup: [[0, 'execve', 0, '/usr/local/bin/redis-server'], [0, 'openat', 3, '/data/dump.rdb'], [0, 'socket', 6, ''], [0, 'bind', 0, ''], [0, 'listen', 0, '']],
  cpuCores: 0.03,
  memoryBytes: 12e6,
};

const cron: ProfileSpec = {
  procs: [
    { name: 'node', exe: '/usr/local/bin/node', parent: shim, pid: 1 },
    { name: 'sleep', exe: '/bin/sleep', parent: 'sh', pid: 90 },
  ],
  requestsPerSecond: 2,
  sequences: [
    { weight: 0.8, steps: [[0, 'epoll_wait', 0, ''], [0, 'write', 120, '$out:postgres'], [0, 'read', 4096, '$out:postgres'], [0, 'write', 4096, '/tmp/report.csv']] },
    { weight: 0.2, steps: [[0, 'openat', 21, '/tmp/report.csv'], [0, 'fstat', 0, '/tmp/report.csv'], [0, 'close', 0, '/tmp/report.csv'], [0, 'clock_gettime', 0, '']] },
  ],
  startup: [[0, 'execve', 0, '/usr/local/bin/node'], [0, 'openat', 3, LIBC], [0, 'openat', 17, '/app/report.js'], [0, 'connect', -115, '$dns']],
  cpuCores: 0.02,
  memoryBytes: 60e6,
};

const coredns: ProfileSpec = {
  procs: [{ name: 'coredns', exe: '/coredns', parent: shim, pid: 1 }],
  requestsPerSecond: 30,
  sequences: [
    { weight: 0.9, steps: [[0, 'epoll_pwait', 1, ''], [0, 'recvmsg', 61, '$in'], [0, 'sendmsg', 112, '$in']] },
    { weight: 0.1, steps: [[0, 'recvmsg', 58, '$in'], [0, 'connect', 0, '$up'], [0, 'write', 58, '$up'], [0, 'read', 140, '$up'], [0, 'sendmsg', 140, '$in']] },
  ],
  startup: [[0, 'execve', 0, '/coredns'], [0, 'openat', 3, '/etc/coredns/Corefile'], [0, 'socket', 6, ''], [0, 'bind', 0, '']],
  cpuCores: 0.02,
  memoryBytes: 20e6,
};

const prometheus: ProfileSpec = {
  procs: [{ name: 'prometheus', exe: '/bin/prometheus', parent: shim, pid: 1 }],
  requestsPerSecond: 8,
  sequences: [
    { weight: 0.8, steps: [[0, 'connect', -115, '$in'], [0, 'write', 180, '$in'], [0, 'read', 16384, '$in'], [0, 'close', 0, '$in']] },
    { weight: 0.2, steps: [[0, 'pwrite64', 32768, '/prometheus/wal/00000012'], [0, 'futex', 0, ''], [0, 'epoll_pwait', 1, '']] },
  ],
  startup: [[0, 'execve', 0, '/bin/prometheus'], [0, 'openat', 3, '/etc/prometheus/prometheus.yml'], [0, 'openat', 4, '/prometheus/wal/00000012'], [0, 'socket', 6, ''], [0, 'bind', 0, '']],
  cpuCores: 0.15,
  memoryBytes: 400e6,
};

export const PROFILES: Record<SysProfile, ProfileSpec> = {
  nginx,
  'node-api': nodeApi('api'),
  'java-api': javaApi,
  postgres,
  redis,
  worker: nodeApi('worker'),
  cron,
  coredns,
  prometheus,
};

/** Diurnal load at time t (epoch us): 1 +- amplitude, peaking at 15:00 UTC (a business-hours shop). */
export function diurnal(tUs: number, amplitude = 0.4, peakHourUtc = 15): number {
  const hours = (tUs / 3.6e9) % 24;
  return 1 + amplitude * Math.cos((2 * Math.PI * (hours - peakHourUtc)) / 24);
}
