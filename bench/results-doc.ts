/**
 * docs/results.md is written by several commands (`npm run results`, `npm run experiments`, the scenario
 * evaluation): each owns one marked section and rewrites only that, so running one never erases another's numbers.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const HEADER = '# Results on real data\n\nEach section below is written by the command it names; none is edited by hand.\n';

const begin = (id: string): string => `<!-- section:${id} begin (generated; do not edit) -->`;
const end = (id: string): string => `<!-- section:${id} end -->`;

/** Replaces (or appends) section `id` of the markdown file at `path` with `markdown`. */
export function writeResultsSection(path: string, id: string, markdown: string): void {
  if (!/^[a-z0-9-]+$/.test(id)) throw new Error(`results section id must be lowercase words with dashes, got ${id}`);
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  const block = `${begin(id)}\n${markdown.trim()}\n${end(id)}`;
  const from = doc.indexOf(begin(id));
  const to = doc.indexOf(end(id));
  let next: string;
  if (from >= 0 && to > from) next = doc.slice(0, from) + block + doc.slice(to + end(id).length);
  else next = `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next.endsWith('\n') ? next : next + '\n');
}
