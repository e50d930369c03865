/**
 * Loads the Helm chart in deploy/helm/peregrine and renders it with the Go-template subset in gotemplate.ts:
 * values merged like Helm (maps merge, lists and scalars replace, null deletes), helpers (`_*.tpl`) loaded first,
 * one output per template file, NOTES.txt apart. Used by the manifest generator and the validation tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Renderer } from './gotemplate.js';

export interface Chart {
  dir: string;
  meta: Record<string, unknown>;
  values: Record<string, unknown>;
  templates: Map<string, string>;
}

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  values?: Record<string, unknown>;
}

export interface Rendered {
  /** Template file name -> rendered text (empty when the template renders nothing). */
  files: Map<string, string>;
  notes: string;
}

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

export function loadChart(dir: string): Chart {
  const meta = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
  const values = (parse(readFileSync(join(dir, 'values.yaml'), 'utf8')) ?? {}) as Record<string, unknown>;
  const templates = new Map<string, string>();
  for (const f of readdirSync(join(dir, 'templates')).sort()) templates.set(f, readFileSync(join(dir, 'templates', f), 'utf8'));
  return { dir, meta, values, templates };
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's value coalescing for user overrides: nested maps merge, everything else replaces, null removes a key. */
export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = mergeValues(out[k] as Record<string, unknown>, v);
    else out[k] = structuredClone(v);
  }
  return out;
}

export function renderChart(chart: Chart, opts: RenderOptions = {}): Rendered {
  const r = new Renderer();
  const fns = new Map<string, (root: unknown) => string>();
  // Helpers first so every `include` finds its define, whatever the file order.
  const order = [...chart.templates.keys()].sort((a, b) => Number(!a.startsWith('_')) - Number(!b.startsWith('_')) || a.localeCompare(b));
  for (const f of order) fns.set(f, r.load(chart.templates.get(f)!, `templates/${f}`, `${String(chart.meta.name)}/templates/${f}`));
  const root = {
    Values: mergeValues(chart.values, opts.values ?? {}),
    Release: { Name: opts.releaseName ?? 'peregrine', Namespace: opts.namespace ?? 'peregrine', Service: 'Helm', IsInstall: true, IsUpgrade: false },
    Chart: { Name: chart.meta.name, Version: chart.meta.version, AppVersion: chart.meta.appVersion },
    Template: { BasePath: `${String(chart.meta.name)}/templates` },
  };
  const files = new Map<string, string>();
  let notes = '';
  for (const f of order) {
    if (f.startsWith('_')) continue;
    const text = fns.get(f)!(root);
    if (f === 'NOTES.txt') notes = text;
    else files.set(f, text);
  }
  return { files, notes };
}

/**
 * The objects of a rendered YAML stream (empty documents dropped, as Helm does). Parsed as YAML 1.1, as kubectl
 * and the API server read it (`on` is a boolean there). Throws on YAML errors.
 */
export function parseObjects(text: string, where: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0].message}`);
    const v = doc.toJS() as unknown;
    if (v === null || v === undefined) continue;
    if (!isMap(v) || typeof v.kind !== 'string' || typeof v.apiVersion !== 'string') throw new Error(`${where}: a document without apiVersion/kind`);
    out.push(v as K8sObject);
  }
  return out;
}

/** All objects of a render, in file order. */
export function renderedObjects(r: Rendered): K8sObject[] {
  return [...r.files].flatMap(([f, text]) => parseObjects(text, f));
}
