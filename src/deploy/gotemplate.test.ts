import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Renderer, TemplateError, isTruthy, show, toYaml } from './gotemplate.js';
import { mergeValues } from './chart.js';

const render = (src: string, root: unknown): string => new Renderer().load(src, 't')(root);

/** Expected outputs are what Go text/template + Helm (sprig) print for the same input. */
describe('Go-template subset', () => {
  it('trims whitespace on the marked side only', () => {
    assert.equal(render('a  {{- "b" -}}  c', {}), 'abc');
    assert.equal(render('a  {{ "b" -}}\n  c', {}), 'a  bc');
    assert.equal(render('x:\n  {{- if true }}\n  y{{ end }}', {}), 'x:\n  y');
    assert.equal(render('{{/* a comment */}}z', {}), 'z');
  });

  it('resolves fields, $ and missing values (rendered empty, as Helm does)', () => {
    const root = { Values: { a: { b: 'c' }, n: 0 } };
    assert.equal(render('{{ .Values.a.b }}|{{ .Values.missing.deep }}|{{ $.Values.n }}', root), 'c||0');
  });

  it('if / else if / else uses Go emptiness', () => {
    const t = '{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}';
    assert.equal(render(t, { a: [1], b: true }), 'A');
    assert.equal(render(t, { a: [], b: 'x' }), 'B');
    assert.equal(render(t, { a: {}, b: 0 }), 'C');
    for (const v of [0, '', false, null, [], {}]) assert.equal(isTruthy(v), false);
  });

  it('range rebinds dot, sorts map keys, binds $k/$v, runs else on empty', () => {
    assert.equal(render('{{ range .l }}[{{ . }}]{{ end }}', { l: ['a', 'b'] }), '[a][b]');
    assert.equal(render('{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}', { m: { z: 1, a: 2 } }), 'a=2;z=1;');
    assert.equal(render('{{ range $i, $v := .l }}{{ $i }}{{ $v }}{{ end }}', { l: ['x', 'y'] }), '0x1y');
    assert.equal(render('{{ range .l }}x{{ else }}none{{ end }}', { l: [] }), 'none');
    assert.equal(render('{{ range .l }}{{ $.p }}{{ . }}{{ end }}', { l: [1, 2], p: '-' }), '-1-2');
  });

  it('pipes the value as the last argument: default, quote, trunc, trimSuffix, printf, b64enc, contains', () => {
    assert.equal(render('{{ .x | default "d" }}{{ .y | default "d" }}', { x: '', y: 'v' }), 'dv');
    assert.equal(render('{{ .x | quote }}', { x: 'a"b' }), '"a\\"b"');
    assert.equal(render('{{ "abcdef-" | trunc 6 | trimSuffix "-" }}', {}), 'abcdef');
    assert.equal(render('{{ printf "%s-%s:%v" "a" .b .c }}', { b: 'b', c: 8080 }), 'a-b:8080');
    assert.equal(render('{{ "tok" | b64enc }}', {}), 'dG9r');
    assert.equal(render('{{ if contains "peregrine" .r }}y{{ end }}', { r: 'my-peregrine' }), 'y');
    assert.equal(render('{{ if and .a (not .b) }}y{{ end }}{{ if eq .k "nats" }}n{{ end }}', { a: 1, b: 0, k: 'nats' }), 'yn');
  });

  it('define / include with nindent and toYaml (sorted keys, flush sequences, no trailing newline)', () => {
    const r = new Renderer();
    r.load('{{- define "lbl" -}}\na: {{ .x }}\nb: 2\n{{- end -}}', 'h');
    const out = r.load('m:\n  {{- include "lbl" . | nindent 2 }}\nv:\n  {{- toYaml .v | nindent 2 }}', 't')({ x: 1, v: { z: [1, 'on'], a: { b: true } } });
    assert.equal(out, 'm:\n  a: 1\n  b: 2\nv:\n  a:\n    b: true\n  z:\n  - 1\n  - "on"');
    assert.equal(toYaml({}), '{}');
    assert.equal(show(['a', 'b']), '[a b]');
  });

  it('include of a template file by path, print and sha256sum (the checksum/config pattern)', () => {
    const r = new Renderer();
    r.load('data: {{ .v }}', 'cm', 'c/templates/cm.yaml');
    const t = r.load('{{ include (print $.Template.BasePath "/cm.yaml") . | sha256sum }}', 't');
    const root = (v: string): unknown => ({ v, Template: { BasePath: 'c/templates' } });
    // sha256 of "data: x", as `printf 'data: x' | sha256sum` prints it
    assert.equal(t(root('x')), '76001a25e11ba47a36b8db67fccbd1ebb2f1ef9cf5dc9c589fa0d4dcbb18fd1d');
    assert.notEqual(t(root('x')), t(root('y')));
  });

  it('required and fail stop the render with their message', () => {
    assert.throws(() => render('{{ required "need x" .x }}', {}), /need x/);
    assert.throws(() => render('{{ fail (printf "bad %s" .n) }}', { n: 'ns' }), /bad ns/);
  });

  it('rejects what it does not implement instead of guessing', () => {
    assert.throws(() => render('{{ with .a }}x{{ end }}', {}), TemplateError);
    assert.throws(() => render('{{ lookup "v1" "Secret" "ns" "x" }}', {}), /unknown function "lookup"/);
    assert.throws(() => render('{{ $nope }}', {}), /undefined variable/);
    assert.throws(() => render('{{ if .a }}x', {}), /missing \{\{ end \}\}/);
    assert.throws(() => render('{{ "a" ', {}), /unclosed/);
  });

  it('merges values like Helm: maps merge, lists replace, null deletes', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x', e: 1 };
    assert.deepEqual(mergeValues(base, { a: { c: [3] }, d: null, f: { g: 1 } }), { a: { b: 1, c: [3] }, e: 1, f: { g: 1 } });
    assert.deepEqual(base.a.c, [1, 2], 'base untouched');
  });
});
