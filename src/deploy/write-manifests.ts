/** Regenerates deploy/manifests from the chart: `node dist/src/deploy/write-manifests.js` (after `npm run build`). */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../testing/paths.js';
import { loadChart } from './chart.js';
import { chartDir, expectedManifests } from './manifests.js';

const root = repoRoot();
const dir = join(root, 'deploy', 'manifests');
// Remove stale files (a template that was deleted or now renders nothing) before writing.
for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) if (f.endsWith('.yaml')) rmSync(join(dir, f));
for (const [file, text] of expectedManifests(loadChart(chartDir(root)))) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
  console.log(file);
}
