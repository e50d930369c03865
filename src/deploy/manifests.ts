/**
 * The plain manifests in deploy/manifests are the chart rendered with these value sets; the test checks they are
 * in sync, and `node dist/src/deploy/write-manifests.js` regenerates them after a chart change.
 */
import { join } from 'node:path';
import { renderChart, type Chart } from './chart.js';

export interface ManifestSet {
  /** Output path relative to the repository root. */
  out: string;
  /** Template files to include (all non-empty ones when omitted). */
  templates?: string[];
  values: Record<string, unknown>;
  describe: string;
}

/** Users without Helm create the Secret themselves (kubectl create secret ...), so no token sits in a file. */
const base = { secrets: { existingSecret: 'peregrine' } };

export const MANIFEST_SETS: ManifestSet[] = [
  { out: 'deploy/manifests', values: base, describe: 'chart defaults with secrets.existingSecret=peregrine' },
  {
    out: 'deploy/manifests/optional/response-rbac.yaml',
    templates: ['rbac.yaml'],
    values: { ...base, response: { enabled: true, allowNamespaces: ['example-app'] } },
    describe: 'response.enabled=true, response.allowNamespaces=[example-app] (replace example-app with your namespaces)',
  },
  {
    out: 'deploy/manifests/optional/servicemonitor.yaml',
    templates: ['servicemonitor.yaml'],
    values: { ...base, serviceMonitor: { enabled: true } },
    describe: 'serviceMonitor.enabled=true (needs the Prometheus Operator CRDs)',
  },
];

export function chartDir(root: string): string {
  return join(root, 'deploy', 'helm', 'peregrine');
}

const header = (file: string, set: ManifestSet): string =>
  `# Generated from deploy/helm/peregrine/templates/${file} (${set.describe}).\n` +
  '# Do not edit: change the chart and run `node dist/src/deploy/write-manifests.js`.\n';

/** Output file (relative to the repo root) -> content, for every manifest set. */
export function expectedManifests(chart: Chart): Map<string, string> {
  const out = new Map<string, string>();
  for (const set of MANIFEST_SETS) {
    const r = renderChart(chart, { values: set.values });
    const files = [...r.files].filter(([f, text]) => text.trim() !== '' && (!set.templates || set.templates.includes(f)));
    if (set.out.endsWith('.yaml')) {
      out.set(set.out, files.map(([f, text]) => header(f, set) + text.trim() + '\n').join('---\n'));
    } else {
      for (const [f, text] of files) out.set(`${set.out}/${f}`, header(f, set) + text.trim() + '\n');
    }
  }
  return out;
}
