/**
 * A normal nginx container serving a static site over HTTP/1.1, at the syscall level: worker processes accept
 * connections (accept4 + epoll_ctl), wait in epoll_wait, read requests (recvfrom, with the EAGAIN misses of
 * non-blocking sockets), open the file under /usr/share/nginx/html (ENOENT for the occasional 404), fstat it, send
 * headers with writev and bodies with sendfile (small files in one writev), close it, write the access log line to
 * stdout, and close connections after a few keep-alive requests. Load follows a slow wave plus a random walk, so
 * intervals differ the way a real service's do.
 */
import type { Rng } from '../../core/rng.js';
import { BENIGN, type Emitter, type Proc, type Tag } from './emit.js';

export interface NginxOptions {
  /** Mean syscalls per second of the normal workload. */
  rate: number;
  /** Worker processes (nginx `worker_processes`). */
  workers?: number;
  /** Share of requests for files that do not exist (404). */
  notFoundRate?: number;
  /** Mean requests per keep-alive connection. */
  keepAliveRequests?: number;
  /** Amplitude of the slow load variation (0.2 = +-20 %). */
  variation?: number;
}

/** Static site: path under the web root, size in bytes, popularity weight. */
const SITE: [string, number, number][] = [
  ['index.html', 2_310, 30],
  ['favicon.ico', 15_086, 8],
  ['css/main.css', 18_420, 10],
  ['css/vendor.min.css', 96_004, 5],
  ['js/app.js', 54_312, 9],
  ['js/vendor.min.js', 231_880, 5],
  ['img/logo.svg', 3_902, 8],
  ['img/hero.jpg', 184_220, 5],
  ['img/team.jpg', 121_004, 2],
  ['img/icons.png', 12_880, 6],
  ['fonts/inter.woff2', 98_120, 4],
  ['about.html', 6_114, 3],
  ['contact.html', 4_880, 2],
  ['blog/index.html', 9_902, 3],
  ['robots.txt', 68, 1],
  ['sitemap.xml', 1_204, 1],
];
const SITE_TOTAL = SITE.reduce((s, f) => s + f[2], 0);
const WEB_ROOT = '/usr/share/nginx/html/';
const MISSING = ['wp-login.php', '.env', 'img/old-logo.png', 'blog/feed', 'apple-touch-icon.png', 'ads.txt'];

/** Clients of a normal service: the ingress controller pods and a few in-cluster callers. */
const CLIENTS = ['10.244.0.12', '10.244.0.13', '10.244.3.40', '10.244.2.17', '10.244.1.88'];

/** Syscalls per request on average with the default options (calibrated by the generator test). */
export const EVENTS_PER_REQUEST = 8.6;

/** Idle keep-alive connections per worker before the oldest times out. */
const MAX_IDLE = 12;

interface Conn {
  fd: number;
  ip: string;
  port: number;
  left: number;
}

interface Worker {
  proc: Proc;
  idle: Conn[];
  nextFd: number;
}

export class NginxServer {
  readonly workers: Worker[];
  readonly master: Proc;
  private readonly o: Required<NginxOptions>;
  private walk = 0;
  private readonly phase: number;

  constructor(
    private readonly em: Emitter,
    private readonly rng: Rng,
    options: NginxOptions,
  ) {
    this.o = { workers: 2, notFoundRate: 0.02, keepAliveRequests: 4, variation: 0.2, ...options };
    this.master = { name: 'nginx', exe: '/usr/sbin/nginx', parent: 'containerd-shim', pid: 1, tid: 1 };
    this.workers = Array.from({ length: this.o.workers }, (_, i) => ({
      proc: { name: 'nginx', exe: '/usr/sbin/nginx', parent: 'nginx', pid: 29 + i, tid: 29 + i },
      idle: [],
      nextFd: 10,
    }));
    this.phase = rng.next() * 2 * Math.PI;
  }

  /** Load factor at time t (us): a 10-minute wave and a random walk updated once per call (per time slice). */
  private load(t: number): number {
    this.walk = 0.9 * this.walk + 0.1 * this.rng.normal();
    const wave = Math.sin((2 * Math.PI * t) / 600e6 + this.phase);
    return Math.max(0.2, 1 + this.o.variation * (0.7 * wave + 0.6 * this.walk));
  }

  /** Serves the normal requests arriving in [t0, t1) (us). */
  serve(t0: number, t1: number): void {
    const perSecond = (this.o.rate / EVENTS_PER_REQUEST) * this.load(t0);
    this.arrivals(t0, t1, perSecond, (t) => this.request(t, this.rng.int(this.workers.length), CLIENTS[this.rng.int(CLIENTS.length)], false, BENIGN));
  }

  /**
   * Flood requests arriving in [t0, t1): one new connection per request from a botnet-sized address space, half of
   * them for pages that do not exist, no keep-alive.
   */
  flood(t0: number, t1: number, perSecond: number, tag: Tag): void {
    this.arrivals(t0, t1, perSecond, (t) => {
      const ip = `${45 + this.rng.int(150)}.${this.rng.int(256)}.${this.rng.int(256)}.${1 + this.rng.int(254)}`;
      this.request(t, this.rng.int(this.workers.length), ip, true, tag);
    });
  }

  /** Poisson arrivals in [t0, t1) at `perSecond`. */
  private arrivals(t0: number, t1: number, perSecond: number, fn: (t: number) => void): void {
    if (!(perSecond > 0)) return;
    const meanGap = 1e6 / perSecond;
    let t = t0 - Math.log(1 - this.rng.next()) * meanGap;
    while (t < t1) {
      fn(t);
      t += -Math.log(1 - this.rng.next()) * meanGap;
    }
  }

  private request(t: number, w: number, clientIp: string, flood: boolean, tag: Tag): void {
    const em = this.em;
    const rng = this.rng;
    const worker = this.workers[w];
    const p = worker.proc;
    const ip = this.em.id.podIp;
    const step = (): number => (t += 3 + rng.int(40));
    let conn: Conn;
    if (!flood && worker.idle.length > 0 && rng.next() < 0.7) {
      conn = worker.idle.splice(rng.int(worker.idle.length), 1)[0];
      em.call(step(), p, 'epoll_wait', 1, '', tag);
    } else {
      conn = { fd: worker.nextFd, ip: clientIp, port: 32768 + rng.int(28000), left: flood ? 1 : 1 + rng.int(2 * this.o.keepAliveRequests - 1) };
      worker.nextFd = worker.nextFd >= 1000 ? 10 : worker.nextFd + 1;
      em.call(step(), p, 'epoll_wait', 1, '', tag);
      em.net(step(), p, 'accept4', conn.fd, conn.ip, conn.port, ip, 80, tag);
      em.call(step(), p, 'epoll_ctl', 0, '', tag);
    }
    if (rng.next() < 0.08) {
      // the request had not arrived yet: EAGAIN, back to epoll
      em.net(step(), p, 'recvfrom', -11, conn.ip, conn.port, ip, 80, tag);
      em.call(step(), p, 'epoll_wait', 1, '', tag);
    }
    em.net(step(), p, 'recvfrom', 180 + rng.int(420), conn.ip, conn.port, ip, 80, tag);
    const missing = rng.next() < (flood ? 0.5 : this.o.notFoundRate);
    if (missing) {
      em.call(step(), p, 'openat', -2, WEB_ROOT + MISSING[rng.int(MISSING.length)], tag);
      em.net(step(), p, 'writev', 708, conn.ip, conn.port, ip, 80, tag);
    } else {
      const [file, size] = flood ? SITE[0] : this.pickFile();
      const path = WEB_ROOT + file;
      const ffd = 900 + rng.int(99);
      em.call(step(), p, 'openat', ffd, path, tag);
      em.call(step(), p, 'fstat', 0, path, tag);
      if (size > 8192) {
        em.net(step(), p, 'writev', 250 + rng.int(40), conn.ip, conn.port, ip, 80, tag);
        em.net(step(), p, 'sendfile', size, conn.ip, conn.port, ip, 80, tag);
      } else {
        em.net(step(), p, 'writev', size + 250 + rng.int(40), conn.ip, conn.port, ip, 80, tag);
      }
      em.call(step(), p, 'close', 0, path, tag);
    }
    em.call(step(), p, 'write', 120 + rng.int(90), '/dev/stdout', tag);
    conn.left--;
    if (conn.left <= 0) em.net(step(), p, 'close', 0, conn.ip, conn.port, ip, 80, tag);
    else worker.idle.push(conn);
    if (worker.idle.length > MAX_IDLE) {
      // keepalive_timeout: the longest-idle connection is closed
      const old = worker.idle.shift() as Conn;
      em.net(step(), p, 'close', 0, old.ip, old.port, ip, 80, BENIGN);
    }
  }

  private pickFile(): [string, number, number] {
    let u = this.rng.next() * SITE_TOTAL;
    for (const f of SITE) {
      u -= f[2];
      if (u < 0) return f;
    }
    return SITE[0];
  }
}
