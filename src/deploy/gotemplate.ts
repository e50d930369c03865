/**
 * A small, strict renderer for the subset of Go text/template + Helm functions the Peregrine chart uses, so the
 * tests can render deploy/helm/peregrine without the helm binary (not installable here). It follows Go's rules
 * where the chart depends on them: `{{-`/`-}}` trim all adjacent whitespace, `.` is rebound by `range`, `$` is the
 * root, map ranges go in sorted key order, the piped value is the LAST argument, emptiness decides `if`.
 * Anything outside the subset (`with`, `block`, unknown functions) is an error, never silently ignored.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';

type Value = unknown;
type Scope = { dot: Value; vars: Map<string, Value> };

interface TextNode { kind: 'text'; text: string }
interface ActionNode { kind: 'action'; pipe: string }
interface IfNode { kind: 'if'; branches: Array<{ cond: string | null; body: Node[] }> }
interface RangeNode { kind: 'range'; keyVar: string | null; valVar: string | null; pipe: string; body: Node[]; elseBody: Node[] }
type Node = TextNode | ActionNode | IfNode | RangeNode;

export class TemplateError extends Error {}

/** Splits into text and `{{ }}` actions, applying trim markers and dropping comments. */
function lex(src: string, file: string): Array<{ text?: string; action?: string }> {
  const out: Array<{ text?: string; action?: string }> = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      out.push({ text });
      break;
    }
    const trimLeft = src[open + 2] === '-' && /\s/.test(src[open + 3] ?? '');
    if (trimLeft) text = text.replace(/\s+$/, '');
    out.push({ text });
    const close = findClose(src, open + 2, file);
    const trimRight = src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '');
    const body = src.slice(open + (trimLeft ? 3 : 2), trimRight ? close - 1 : close).trim();
    if (!body.startsWith('/*')) out.push({ action: body });
    trimNext = trimRight;
    i = close + 2;
  }
  return out;
}

function findClose(src: string, from: number, file: string): number {
  let inStr = false;
  for (let j = from; j < src.length - 1; j++) {
    const c = src[j];
    if (inStr) {
      if (c === '\\') j++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '}' && src[j + 1] === '}') return j;
  }
  throw new TemplateError(`${file}: unclosed action`);
}

/** Parses the token stream into a tree; `define` blocks go to `defines`. */
function parse(src: string, file: string, defines: Map<string, Node[]>): Node[] {
  const toks = lex(src, file);
  let p = 0;
  const block = (stops: RegExp): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (p < toks.length) {
      const t = toks[p++];
      if (t.text !== undefined) {
        if (t.text !== '') nodes.push({ kind: 'text', text: t.text });
        continue;
      }
      const a = t.action!;
      if (stops.test(a)) return { nodes, stop: a };
      let m: RegExpExecArray | null;
      if ((m = /^if\s+(.+)$/s.exec(a))) {
        const branches: IfNode['branches'] = [];
        let cond: string | null = m[1];
        for (;;) {
          const b = block(/^(else(\s+if\s+.+)?|end)$/s);
          branches.push({ cond, body: b.nodes });
          if (b.stop === 'end') break;
          const elif = /^else\s+if\s+(.+)$/s.exec(b.stop);
          cond = elif ? elif[1] : null;
        }
        nodes.push({ kind: 'if', branches });
      } else if ((m = /^range\s+(?:(\$\w+)\s*(?:,\s*(\$\w+))?\s*:=\s*)?(.+)$/s.exec(a))) {
        const body = block(/^(else|end)$/);
        const elseBody = body.stop === 'else' ? block(/^end$/).nodes : [];
        const [keyVar, valVar] = m[2] ? [m[1], m[2]] : [null, m[1] ?? null];
        nodes.push({ kind: 'range', keyVar, valVar, pipe: m[3], body: body.nodes, elseBody });
      } else if ((m = /^define\s+"([^"]+)"$/.exec(a))) {
        defines.set(m[1], block(/^end$/).nodes);
      } else if (/^(with|block|template|else|end)\b/.test(a)) {
        throw new TemplateError(`${file}: "{{ ${a} }}" is outside the supported subset or unbalanced`);
      } else nodes.push({ kind: 'action', pipe: a });
    }
    if (stops.source !== '^$') throw new TemplateError(`${file}: missing {{ end }}`);
    return { nodes, stop: '' };
  };
  return block(/^$/).nodes;
}

/** Tokens of a pipeline: strings, numbers, parens, `|`, fields, variables, identifiers. */
function tokenize(s: string): string[] {
  const re = /\s*("(?:[^"\\]|\\.)*"|\(|\)|\||:=|-?\d+(?:\.\d+)?|\$\w*(?:\.[\w-]+)*|(?:\.[\w-]+)+|\.|[A-Za-z_]\w*)/y;
  const out: string[] = [];
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < s.length && (m = re.exec(s))) out.push(m[1]);
  if (re.lastIndex < s.trimEnd().length) throw new TemplateError(`cannot parse "${s}" near "${s.slice(re.lastIndex)}"`);
  return out;
}

export function isTruthy(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

function field(v: Value, path: string[], expr: string): Value {
  let cur = v;
  for (const k of path) {
    if (cur === null || cur === undefined) return undefined; // Helm renders missing values as empty
    if (typeof cur !== 'object') throw new TemplateError(`${expr}: cannot read .${k} of a ${typeof cur}`);
    cur = Object.prototype.hasOwnProperty.call(cur, k) ? (cur as Record<string, Value>)[k] : undefined;
  }
  return cur;
}

/** Go's fmt %v for template output: nil prints as empty (Helm), slices as `[a b]`, maps as `map[k:v]`. */
export function show(v: Value): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, Value>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${show(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

/**
 * Helm's toYaml: sigs.k8s.io/yaml marshalling (sorted keys, sequences not indented, YAML 1.1 quoting so `on`,
 * `yes`, `y` stay strings for Go's parser), trailing newline trimmed.
 */
export function toYaml(v: Value): string {
  if (v === null || v === undefined) return 'null';
  return stringify(v, { sortMapEntries: true, indentSeq: false, lineWidth: 0, version: '1.1' }).replace(/\n$/, '');
}

const indentText = (n: number, s: string): string =>
  String(s)
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

export class Renderer {
  readonly defines = new Map<string, Node[]>();
  private readonly funcs: Record<string, (...a: Value[]) => Value>;

  constructor() {
    const num = (v: Value): number => Number(v);
    this.funcs = {
      include: (name, ctx) => this.include(String(name), ctx),
      toYaml: (v) => toYaml(v),
      nindent: (n, s) => '\n' + indentText(num(n), show(s)),
      indent: (n, s) => indentText(num(n), show(s)),
      quote: (v) => JSON.stringify(show(v)),
      default: (d, v) => (isTruthy(v) ? v : d),
      required: (msg, v) => {
        if (v === null || v === undefined || v === '') throw new TemplateError(String(msg));
        return v;
      },
      fail: (msg) => {
        throw new TemplateError(String(msg));
      },
      trunc: (n, s) => show(s).slice(0, num(n)),
      trimSuffix: (suf, s) => (show(s).endsWith(String(suf)) ? show(s).slice(0, -String(suf).length) : show(s)),
      contains: (sub, s) => show(s).includes(String(sub)),
      replace: (a, b, s) => show(s).split(String(a)).join(String(b)),
      printf: (fmt, ...args) => String(fmt).replace(/%[sdv]/g, () => show(args.shift())),
      b64enc: (s) => Buffer.from(show(s)).toString('base64'),
      sha256sum: (s) => createHash('sha256').update(show(s)).digest('hex'),
      print: (...a) => a.map(show).join(''),
      toString: (v: Value) => show(v),
      eq: (a, b) => a === b,
      ne: (a, b) => a !== b,
      not: (v) => !isTruthy(v),
      and: (...a) => a.find((x) => !isTruthy(x)) ?? a[a.length - 1],
      or: (...a) => a.find((x) => isTruthy(x)) ?? a[a.length - 1],
      empty: (v) => !isTruthy(v),
    };
  }

  /**
   * Parses a file; its defines become available to `include`, and so does the file itself under `name` (Helm
   * registers every template file by its path, e.g. `peregrine/templates/configmap.yaml`). Returns the render function.
   */
  load(src: string, file: string, name?: string): (root: Value) => string {
    const nodes = parse(src, file, this.defines);
    if (name !== undefined) this.defines.set(name, nodes);
    return (root) => this.exec(nodes, { dot: root, vars: new Map([['$', root]]) });
  }

  include(name: string, ctx: Value): string {
    const nodes = this.defines.get(name);
    if (!nodes) throw new TemplateError(`include: no template "${name}"`);
    return this.exec(nodes, { dot: ctx, vars: new Map([['$', ctx]]) });
  }

  private exec(nodes: Node[], scope: Scope): string {
    let out = '';
    for (const n of nodes) {
      if (n.kind === 'text') out += n.text;
      else if (n.kind === 'action') out += show(this.pipeline(n.pipe, scope));
      else if (n.kind === 'if') {
        const b = n.branches.find((br) => br.cond === null || isTruthy(this.pipeline(br.cond, scope)));
        if (b) out += this.exec(b.body, scope);
      } else {
        const v = this.pipeline(n.pipe, scope);
        const entries: Array<[Value, Value]> = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v && typeof v === 'object'
            ? Object.keys(v).sort().map((k) => [k, (v as Record<string, Value>)[k]])
            : [];
        if (v !== null && v !== undefined && typeof v !== 'object') throw new TemplateError(`range over a ${typeof v}: ${n.pipe}`);
        if (entries.length === 0) out += this.exec(n.elseBody, scope);
        for (const [k, x] of entries) {
          const vars = new Map(scope.vars);
          if (n.keyVar) vars.set(n.keyVar, k);
          if (n.valVar) vars.set(n.valVar, x);
          out += this.exec(n.body, { dot: x, vars });
        }
      }
    }
    return out;
  }

  private pipeline(src: string, scope: Scope): Value {
    const toks = tokenize(src);
    let pos = 0;
    const parsePipe = (): Value => {
      let piped: Value = undefined;
      let first = true;
      for (;;) {
        const args: Value[] = [];
        let fn: string | null = null;
        while (pos < toks.length && toks[pos] !== '|' && toks[pos] !== ')') {
          const t = toks[pos++];
          if (t === '(') {
            args.push(parsePipe());
            if (toks[pos++] !== ')') throw new TemplateError(`unbalanced ( in "${src}"`);
          } else if (/^[A-Za-z_]\w*$/.test(t) && !['true', 'false', 'nil'].includes(t) && args.length === 0 && fn === null) fn = t;
          else args.push(this.operand(t, scope, src));
        }
        if (!first) args.push(piped);
        if (fn !== null) {
          const f = this.funcs[fn];
          if (!f) throw new TemplateError(`unknown function "${fn}" in "${src}"`);
          piped = f(...args);
        } else {
          if (args.length !== 1) throw new TemplateError(`cannot evaluate "${src}"`);
          piped = args[0];
        }
        first = false;
        if (toks[pos] === '|') pos++;
        else return piped;
      }
    };
    const v = parsePipe();
    if (pos !== toks.length) throw new TemplateError(`unexpected "${toks[pos]}" in "${src}"`);
    return v;
  }

  private operand(t: string, scope: Scope, src: string): Value {
    if (t.startsWith('"')) return JSON.parse(t) as string;
    if (/^-?\d/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'nil') return null;
    if (t === '.') return scope.dot;
    if (t.startsWith('.')) return field(scope.dot, t.slice(1).split('.'), src);
    if (t.startsWith('$')) {
      const [name, ...path] = t.split('.');
      if (!scope.vars.has(name)) throw new TemplateError(`undefined variable ${name} in "${src}"`);
      return field(scope.vars.get(name), path, src);
    }
    throw new TemplateError(`cannot evaluate "${t}" in "${src}"`);
  }
}
