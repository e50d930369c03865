/**
 * `npm run results:scenarios`: runs `peregrine evaluate --scenario all --seed 1` (the scenario evaluation on a
 * simulated 3-node cluster) and writes its table into docs/results.md (section `scenarios`, nothing else touched)
 * and the full report to bench/results/scenarios.json.
 *
 *   npm run results:scenarios -- [--seed 1] [--nodes 3]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runScenarioEvaluation } from '../src/evaluation/scenario/harness.js';
import { formatScenarioText, scenarioMarkdown } from '../src/evaluation/scenario/report.js';
import { repoRoot } from '../src/testing/paths.js';
import { writeResultsSection } from './results-doc.js';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, nodes: { type: 'string', default: '3' } } });
const seed = Number(values.seed);
const nodes = Number(values.nodes);
const r = await runScenarioEvaluation({ seed, nodes, scenarios: ['all'], onProgress: (stage, d, t) => d % 1800 === 0 && process.stderr.write(`${stage} ${d}/${t}\n`) });
console.log(formatScenarioText(r));
const root = repoRoot();
const command = `peregrine evaluate --scenario all --seed ${seed}${nodes !== 3 ? ` --nodes ${nodes}` : ''}`;
writeResultsSection(join(root, 'docs', 'results.md'), 'scenarios', scenarioMarkdown(r, command));
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const { timelines: _t, ...rest } = r;
writeFileSync(join(root, 'bench', 'results', 'scenarios.json'), JSON.stringify(rest, null, 2) + '\n');
console.log('wrote docs/results.md (section scenarios) and bench/results/scenarios.json');
