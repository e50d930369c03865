/** Test helpers of src/service: a hub on 127.0.0.1:0 with a temporary data dir, cleaned up afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, type PeregrineConfig } from '../core/config.js';
import { Hub } from './hub.js';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface TestHub {
  hub: Hub;
  url: string;
  config: PeregrineConfig;
  dir: string;
  auth: { authorization: string };
  close(): Promise<void>;
}

export async function startTestHub(env: Record<string, string> = {}, tweak?: (c: PeregrineConfig) => void): Promise<TestHub> {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-hub-'));
  const config = loadConfig({ env: { PEREGRINE_PORT: '0', PEREGRINE_HOST: '127.0.0.1', PEREGRINE_DATA_DIR: dir, PEREGRINE_TOKEN: TEST_TOKEN, ...env } });
  tweak?.(config);
  const hub = new Hub(config, { logger: pino({ level: 'silent' }) });
  const { url } = await hub.start();
  return {
    hub,
    url,
    config,
    dir,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    async close() {
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `cond` until it holds or `timeoutMs` passes. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 50): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
