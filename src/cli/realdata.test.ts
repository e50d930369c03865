/**
 * The CLI on the shared real data sets (NSL-KDD, the Kubernetes misuse flows). Each test skips with a message
 * when the data is not on this machine (set PEREGRINE_DATASETS to point at it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { sharedDatasets } from '../testing/paths.js';
import { assertOk, CLI, cli, run, show, tempDir, type CliResult, type EvaluationReport, type TrainSummary } from './testing.js';

const tmp = tempDir();
after(tmp.cleanup);

function dataset(...parts: string[]): string | null {
  const root = sharedDatasets();
  if (!root) return null;
  const p = join(root, ...parts);
  return existsSync(p) ? p : null;
}

const SKIP = 'shared datasets not found (set PEREGRINE_DATASETS)';
const GNU_TIME = '/usr/bin/time';

/**
 * Runs the CLI and measures the child's peak resident set size (bytes): with GNU time -v when it is installed,
 * else by running the CLI's `main` inside a child Node process that reports its own `maxRSS`.
 */
async function cliWithPeakRss(args: string[]): Promise<{ run: CliResult; peakRssBytes: number }> {
  const display = `peregrine ${args.join(' ')}`;
  const hasGnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-v', 'true']).status === 0;
  if (hasGnuTime) {
    const r = await run(GNU_TIME, ['-v', process.execPath, CLI, ...args], { display });
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    assert.ok(m, `no RSS in GNU time output:\n${r.stderr}`);
    // GNU time's report: a "Command being timed" line and tab-indented lines.
    const stderr = r.stderr
      .split('\n')
      .filter((l) => !/^\t/.test(l) && !l.startsWith('Command exited with'))
      .join('\n');
    return { run: { ...r, stderr }, peakRssBytes: Number(m[1]) * 1024 };
  }
  const script = `
    const { main } = await import(${JSON.stringify(pathToFileURL(CLI).href)});
    const code = await main(${JSON.stringify(args)});
    process.stderr.write('\\nmaxRSS ' + process.resourceUsage().maxRSS + '\\n');
    process.exitCode = code;`;
  const r = await run(process.execPath, ['--input-type=module', '-e', script], { display });
  const m = /maxRSS (\d+)/.exec(r.stderr);
  assert.ok(m, `no maxRSS reported:\n${r.stderr}`);
  return { run: { ...r, stderr: r.stderr.replace(/\n?maxRSS \d+\n/, '') }, peakRssBytes: Number(m[1]) * 1024 };
}

test('real data: NSL-KDD one-class iforest reaches AUROC >= 0.93 in < 20 s fit and < 1 GB peak memory; ECOD / Mahalanobis PCA >= 0.95', async (t) => {
  const train = dataset('nsl-kdd', 'KDDTrain+.txt');
  const testFile = dataset('nsl-kdd', 'KDDTest+.txt');
  if (!train || !testFile) return t.skip(SKIP);
  const model = (name: string) => join(tmp.dir, `kdd-${name}.json`);
  const base = ['train', '--format', 'nslkdd', '--data', train, '--normal-only', '--seed', '0', '--quiet', '--json'];

  // The other two detectors train while the iforest run is measured.
  const others = Promise.all([
    cli([...base, '--detector', 'ecod', '--out', model('ecod')]),
    cli([...base, '--detector', 'pca', '--param', 'weighted=true', '--param', 'major=true', '--out', model('pca')]),
  ]);
  const { run: measured, peakRssBytes } = await cliWithPeakRss([...base, '--detector', 'iforest', '--out', model('iforest')]);
  assertOk(measured);
  const summary = JSON.parse(measured.stdout) as TrainSummary;
  assert.equal(summary.rowsRead, 125_973);
  assert.equal(summary.fitRows + summary.calibrationRows, 67_343, 'the normal rows of KDDTrain+');
  assert.ok(summary.fitSeconds < 20, `iforest fit took ${summary.fitSeconds} s`);
  assert.ok(peakRssBytes < 1024 ** 3, `peak RSS ${(peakRssBytes / 1024 ** 2).toFixed(0)} MiB`);
  t.diagnostic(`iforest: fit ${summary.fitSeconds} s, peak RSS ${(peakRssBytes / 1024 ** 2).toFixed(0)} MiB`);

  for (const r of await others) assertOk(r);
  const evaluations = await Promise.all(
    ['iforest', 'ecod', 'pca'].map(async (name) => {
      const r = assertOk(await cli(['evaluate', '--model', model(name), '--data', testFile, '--json', '--quiet']));
      return [name, JSON.parse(r.stdout) as EvaluationReport] as const;
    }),
  );
  const auroc: Record<string, number> = {};
  for (const [name, j] of evaluations) {
    assert.equal(j.rows, 22_544, name);
    assert.equal(j.positives, 12_833, name);
    assert.equal(j.model.detector, name);
    assert.ok(j.auroc !== null && j.auprc !== null, name);
    auroc[name] = j.auroc;
    t.diagnostic(`${name}: AUROC ${j.auroc.toFixed(4)}, AUPRC ${j.auprc.toFixed(4)}, fit ${j.fitSeconds?.toFixed(2)} s`);
  }
  // scikit-learn's IsolationForest gets ~0.937 with the same preprocessing.
  assert.ok(auroc.iforest >= 0.93, `iforest AUROC ${auroc.iforest}`);
  const best = Math.max(auroc.ecod, auroc.pca);
  assert.ok(best >= 0.95, `best of ECOD (${auroc.ecod}) and Mahalanobis PCA (${auroc.pca}): ${best}`);
});

test('real data: k8s-flows, trained on the benign capture, evaluated against an attack capture', async (t) => {
  const benign = dataset('k8s-flows', 'background_traffic_20230319T1802.pcap_Flow.first70pct.csv');
  const attack = dataset('k8s-flows', 'rce-reverse-shell_20230319T1710.pcap_Flow.csv');
  if (!benign || !attack) return t.skip(SKIP);
  const model = join(tmp.dir, 'k8s.json');
  const trained = assertOk(await cli(['train', '--format', 'cicflowmeter', '--data', benign, '--normal-only', '--detector', 'iforest', '--seed', '0', '--out', model]));
  assert.match(trained.stdout, /^trained iforest on \d+ rows/m, show(trained));
  const [json, text] = await Promise.all([
    cli(['evaluate', '--model', model, '--data', benign, attack, '--json', '--quiet']),
    cli(['evaluate', '--model', model, '--data', benign, attack]),
  ]);
  const j = JSON.parse(assertOk(json).stdout) as EvaluationReport;
  assert.equal(j.rows, 3707 + 168);
  assert.equal(j.positives, 168);
  assert.equal(j.benign.support, 3707);
  assert.deepEqual(
    (j.perClass as { class: string; support: number }[]).map((p) => [p.class, p.support]),
    [['3', 168]],
    'one row per attack class (the capture labels the reverse shell 3)',
  );
  assert.ok(j.auroc !== null && j.auroc >= 0 && j.auroc <= 1, String(j.auroc));
  assertOk(text);
  assert.match(text.stdout, /Detection by attack class/, show(text));
  assert.match(text.stdout, /^ {2}3 +168 +\d+ /m, show(text));
  assert.match(text.stdout, /^ {2}benign \(false positives\) +3,707 /m, show(text));
  t.diagnostic(`k8s-flows reverse shell: AUROC ${j.auroc?.toFixed(4)}, detected ${j.perClass[0].detected}/168`);
});
