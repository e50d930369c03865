/**
 * Field conversions shared by the event decoders: timestamps, socket tuples, errno names, image and process names.
 * Hand-written scanners, no regular expressions (inputs are attacker-influenced: file names, process names).
 */

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return NaN;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * ISO 8601 / RFC 3339 UTC or offset time (`2016-08-04T16:17:57.881781397Z`, `...+00:00`, `...+0000`) to epoch
 * microseconds, keeping every fraction digit a double can hold. Other shapes go through Date.parse (ms precision).
 * NaN when it is not a time.
 */
let cachedMinute = '';
let cachedMinuteMs = 0;

/** Index just past the fraction parsed by the last fractionUs call (module state: no allocation on the hot path). */
let fractionEnd = 0;

/** Microseconds of an optional `.digits` fraction starting at s[p]; NaN when a `.` has no digits. */
function fractionUs(s: string, p: number): number {
  let us = 0;
  if (s.charCodeAt(p) === 46) {
    p++;
    let scale = 100000;
    const start = p;
    while (p < s.length && isDigit(s.charCodeAt(p))) {
      us += (s.charCodeAt(p) - 48) * scale;
      scale /= 10;
      p++;
    }
    if (p === start) return NaN;
  }
  fractionEnd = p;
  return us;
}

export function parseIsoUs(s: string): number {
  const n = s.length;
  // Consecutive events share their minute: reuse its epoch value (the rest of the checks still run).
  if (n >= 20 && cachedMinute.length === 16 && s.startsWith(cachedMinute) && s.charCodeAt(16) === 58) {
    const sec = digits(s, 17, 19);
    const fracUs = fractionUs(s, 19);
    if (Number.isNaN(fracUs)) return NaN;
    const p = fractionEnd;
    const z = s.charCodeAt(p);
    if (p === n - 1 && (z === 90 || z === 122) && sec <= 60) return (cachedMinuteMs + sec * 1000) * 1000 + fracUs;
  }
  if (n >= 20 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && (s.charCodeAt(10) === 84 || s.charCodeAt(10) === 32) && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58) {
    const y = digits(s, 0, 4);
    const mo = digits(s, 5, 7);
    const d = digits(s, 8, 10);
    const h = digits(s, 11, 13);
    const mi = digits(s, 14, 16);
    const sec = digits(s, 17, 19);
    const fracUs = fractionUs(s, 19);
    if (Number.isNaN(fracUs)) return NaN;
    let p = fractionEnd;
    let offsetMin = 0;
    const z = s.charCodeAt(p);
    if (z === 90 || z === 122) p++;
    else if (z === 43 || z === 45) {
      const oh = digits(s, p + 1, p + 3);
      const colon = s.charCodeAt(p + 3) === 58 ? 1 : 0;
      const om = digits(s, p + 3 + colon, p + 5 + colon);
      offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
      p += 5 + colon;
    } else return NaN;
    if (p !== n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return NaN;
    const minuteMs = Date.UTC(y, mo - 1, d, h, mi, 0);
    if (minuteMs !== minuteMs) return NaN;
    if (offsetMin === 0 && y === y && mo === mo && d === d && h === h && mi === mi) {
      cachedMinute = s.slice(0, 16);
      cachedMinuteMs = minuteMs;
    }
    return (minuteMs + sec * 1000 - offsetMin * 60000) * 1000 + fracUs;
  }
  const ms = Date.parse(s);
  return ms === ms ? ms * 1000 : NaN;
}

/** Decimal epoch nanoseconds (possibly beyond 2^53) to epoch microseconds; NaN when not a number. */
export function nsTextToUs(t: string): number {
  const n = t.length;
  if (n > 3 && n <= 22) {
    const whole = digits(t, 0, n - 3);
    const frac = digits(t, n - 3, n);
    if (whole === whole && frac === frac) return whole + frac / 1000;
  }
  const v = Number(t);
  return t.trim() === '' || v !== v ? NaN : v / 1000;
}

/** A port number from text: 0..65535, else -1. */
export function parsePort(s: string, from = 0, to = s.length): number {
  if (to <= from || to - from > 5) return -1;
  const v = digits(s, from, to);
  return v === v && v <= 65535 ? v : -1;
}

export interface Tuple {
  srcAddr: string;
  srcPort: number;
  dstAddr: string;
  dstPort: number;
}

/**
 * A socket tuple `10.0.0.1:3456->10.0.0.2:443` (sysdig/Falco `fd.name`, LID-DS `tuple=`), IPv6 addresses
 * included (the port follows the last colon). Null when the text is not a tuple.
 */
export function parseTuple(s: string, from = 0, to = s.length): Tuple | null {
  const arrow = s.indexOf('->', from);
  if (arrow < 0 || arrow >= to) return null;
  const sc = s.lastIndexOf(':', arrow - 1);
  const dc = s.lastIndexOf(':', to - 1);
  if (sc < from || dc <= arrow + 1) return null;
  const srcPort = parsePort(s, sc + 1, arrow);
  const dstPort = parsePort(s, dc + 1, to);
  if (srcPort < 0 || dstPort < 0) return null;
  return { srcAddr: s.slice(from, sc), srcPort, dstAddr: s.slice(arrow + 2, dc), dstPort };
}

/** errno names (as Falco's `evt.res` and sysdig print them) to numbers; the return value is `-errno`. */
const ERRNO = new Map<string, number>(Object.entries({
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10,
  EAGAIN: 11, EWOULDBLOCK: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19,
  ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, EFBIG: 27, ENOSPC: 28,
  ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, ERANGE: 34, EDEADLK: 35, ENAMETOOLONG: 36, ENOSYS: 38,
  ENOTEMPTY: 39, ELOOP: 40, ENODATA: 61, EPROTO: 71, EOVERFLOW: 75, ENOTSOCK: 88, EDESTADDRREQ: 89, EMSGSIZE: 90,
  EPROTONOSUPPORT: 93, EOPNOTSUPP: 95, EAFNOSUPPORT: 97, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETDOWN: 100,
  ENETUNREACH: 101, ECONNABORTED: 103, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ETIMEDOUT: 110,
  ECONNREFUSED: 111, EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115,
}));

/**
 * A return value given as text: `SUCCESS` 0, an errno name `-errno` (unknown E-names -1), a decimal or sysdig
 * `-2(ENOENT)` / `12(<f>/x)` form its number, a bare hex address (mmap/brk results) its non-negative value.
 */
export function parseRet(s: string): number {
  if (s === 'SUCCESS') return 0;
  let end = s.indexOf('(');
  if (end < 0) end = s.length;
  if (end === 0) return NaN;
  const c0 = s.charCodeAt(0);
  if (c0 === 69 /* E */ && end === s.length) {
    const e = ERRNO.get(s);
    return e === undefined ? (s.length > 1 ? -1 : NaN) : -e;
  }
  const neg = c0 === 45;
  const v = digits(s, neg ? 1 : 0, end);
  if (v === v && end > (neg ? 1 : 0)) return neg ? -v : v;
  if (neg) return NaN;
  // hex address
  let h = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i) | 32;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return NaN;
    h = h * 16 + d;
  }
  return h;
}

/** The last path segment. */
export function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/** Container id without the runtime scheme (`containerd://`, `docker://`, `cri-o://`). */
export function stripRuntime(id: string): string {
  const i = id.indexOf('://');
  return i < 0 ? id : id.slice(i + 3);
}

/** Falco prints unknown values as `<NA>`; those (and null/undefined) are unknown. */
export function known(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  return s === '<NA>' ? '' : s;
}

/** A finite integer-ish number from a JSON scalar, else `fallback`. */
export function intOr(v: unknown, fallback: number): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : fallback;
  if (typeof v === 'string' && v !== '' && v !== '<NA>') {
    const n = Number(v);
    return Number.isFinite(n) ? n : fallback;
  }
  return fallback;
}
