/**
 * One LID-DS `.sc` line (sysdig text output):
 * `<epoch ns> <user id> <process id> <process name> <thread id> <syscall> <direction> [key=value ...]`, e.g.
 * `1631078867467701544 33 2902774 apache2 2902774 accept < fd=12(<4t>192.168.240.3:50140->192.168.240.21:443) ...`.
 * The direction token (`>` entry, `<` exit) anchors the parse, so a process name with spaces still parses.
 * Only the arguments the summarizer uses are read: `res`, `fd` (`N(<f>/path)`, `N(<4t>a:p->b:q)`), the path
 * arguments (`name`, `path`, `filename`, `pathname`, `exe`, `oldpath`, `target`) and `tuple`.
 */
import { RecordError } from '../json/cursor.js';
import { nsTextToUs, parseRet, parseTuple, type Tuple } from '../fields.js';

export interface ScLine {
  timeUs: number;
  uid: number;
  pid: number;
  process: string;
  tid: number;
  syscall: string;
  dir: '>' | '<';
  /** `res=` value, or for exits without `res` the number before `(` of `fd=`; NaN when neither. */
  ret: number;
  /** File path from `fd=N(<f>...)`/`<d>` or a path argument; `` when none. */
  path: string;
  /** Socket tuple text from `fd=N(<4t>...)` or `tuple=`; `` when none. */
  tupleText: string;
  tuple: Tuple | null;
}

function int(s: string): number {
  if (s.length === 0 || s.length > 15) return NaN;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
  }
  return v;
}

function allDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const PATH_KEYS = new Set(['name', 'path', 'filename', 'pathname', 'exe', 'oldpath', 'target']);

export function parseScLine(text: string): ScLine {
  // Leading fields, split on single spaces.
  const tokens: string[] = [];
  let p = 0;
  let dirAt = -1;
  while (tokens.length < 24) {
    const sp = text.indexOf(' ', p);
    const tok = sp < 0 ? text.slice(p) : text.slice(p, sp);
    if (tokens.length >= 6 && (tok === '>' || tok === '<')) {
      dirAt = sp < 0 ? text.length : sp + 1;
      tokens.push(tok);
      break;
    }
    tokens.push(tok);
    if (sp < 0) break;
    p = sp + 1;
  }
  if (dirAt < 0) throw new RecordError('not a LID-DS event line: expected "<time> <uid> <pid> <process> <tid> <syscall> <>|<> [args]"');
  const n = tokens.length;
  const timeUs = nsTextToUs(tokens[0]);
  const uid = int(tokens[1]);
  const pid = int(tokens[2]);
  const tid = int(tokens[n - 3]);
  const syscall = tokens[n - 2];
  if (!allDigits(tokens[0]) || timeUs !== timeUs) {
    throw new RecordError(`bad timestamp ${JSON.stringify(tokens[0].slice(0, 30))}`);
  }
  if (uid !== uid || pid !== pid || tid !== tid) throw new RecordError('user, process and thread ids must be integers');
  if (syscall.length === 0) throw new RecordError('empty syscall name');
  const out: ScLine = {
    timeUs,
    uid,
    pid,
    process: tokens.slice(3, n - 3).join(' '),
    tid,
    syscall,
    dir: tokens[n - 1] as '>' | '<',
    ret: NaN,
    path: '',
    tupleText: '',
    tuple: null,
  };
  // Arguments: key=value separated by spaces (a value ends at the next space). The first occurrence of a key wins.
  let fdRet = NaN;
  let q = dirAt;
  const len = text.length;
  while (q < len) {
    let sp = text.indexOf(' ', q);
    if (sp < 0) sp = len;
    const eq = text.indexOf('=', q);
    if (eq > q && eq < sp) {
      const key = text.slice(q, eq);
      if (key === 'res') {
        if (out.ret !== out.ret) out.ret = parseRet(text.slice(eq + 1, sp));
      } else if (key === 'fd') {
        const v = text.slice(eq + 1, sp);
        const open = v.indexOf('(');
        if (fdRet !== fdRet) fdRet = parseRet(v);
        if (open >= 0 && v.charCodeAt(open + 1) === 60 /* < */) {
          const close = v.indexOf('>', open + 2);
          if (close > 0) {
            const type = v.slice(open + 2, close);
            const end = v.charCodeAt(v.length - 1) === 41 ? v.length - 1 : v.length;
            const rest = v.slice(close + 1, end);
            if ((type === 'f' || type === 'd') && out.path === '') out.path = rest;
            else if (type.length === 2 && (type.charCodeAt(0) === 52 || type.charCodeAt(0) === 54) && out.tupleText === '') {
              out.tupleText = rest;
              out.tuple = parseTuple(rest);
            }
          }
        }
      } else if (key === 'tuple') {
        if (out.tupleText === '') {
          out.tupleText = text.slice(eq + 1, sp);
          out.tuple = parseTuple(out.tupleText);
        }
      } else if (PATH_KEYS.has(key) && out.path === '') {
        const v = text.slice(eq + 1, sp);
        // sysdig prints resolved paths as `name=rel(/abs)`: keep the absolute one.
        const open = v.lastIndexOf('(');
        out.path = open > 0 && v.charCodeAt(v.length - 1) === 41 ? v.slice(open + 1, -1) : v;
      }
    }
    q = sp + 1;
  }
  if (out.ret !== out.ret && out.dir === '<') out.ret = fdRet;
  return out;
}
