import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, found from the compiled file's location (dist/src/testing -> repo). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('repository root not found');
}

/**
 * The shared datasets folder (../shared/datasets beside the repo, or PEREGRINE_DATASETS), or null when absent:
 * tests that need real data skip cleanly on a fresh clone outside the workspace.
 */
export function sharedDatasets(): string | null {
  const env = process.env.PEREGRINE_DATASETS;
  const dir = env ? resolve(env) : resolve(repoRoot(), '..', 'shared', 'datasets');
  return existsSync(dir) ? dir : null;
}

/** Fixture path under test/fixtures in the repository. */
export function fixture(...parts: string[]): string {
  return join(repoRoot(), 'test', 'fixtures', ...parts);
}
