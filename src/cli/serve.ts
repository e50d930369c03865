import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadConfig, type PeregrineConfig } from '../core/config.js';
import { generateToken } from '../service/auth.js';
import { DemoFeed, demoDetection } from '../service/demo.js';
import { DemoFlows } from '../service/demo-flows.js';
import { Hub } from '../service/hub.js';
import { parseNumber } from './common.js';

/**
 * `peregrine serve`: the hub. Ingest API, streaming detection, alerts, dashboard, /metrics. `--demo` adds a
 * built-in generated telemetry feed and prints the dashboard URL with its token. SIGTERM/SIGINT drain and exit 0.
 */

interface ServeOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  config?: string;
  demo?: boolean;
  demoSpeed?: number;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the hub: ingest API, streaming detection, alerts, dashboard and /metrics')
    .option('--port <n>', 'TCP port (default 8080, or PEREGRINE_PORT; 0 = any free port)', parseNumber('--port', { integer: true, min: 0, max: 65535 }))
    .option('--host <addr>', 'listen address (default 0.0.0.0, or PEREGRINE_HOST)')
    .option('--data-dir <dir>', 'models, forensics, alerts (default ./peregrine-data, or PEREGRINE_DATA_DIR)')
    .option('--config <file>', 'YAML config file (docs/config.md)')
    .option('--demo', 'built-in generated telemetry feed: live detections in the dashboard within a minute')
    .option('--demo-speed <x>', 'with --demo: play the feed x times faster than real time', parseNumber('--demo-speed', { min: 0.1, max: 100 }), 1)
    .action(async (o: ServeOptions) => runServe(o));
}

/** Config from file + env + flags; the token is generated (and kept in the data dir) when none is configured. */
export function serveConfig(o: ServeOptions, env: NodeJS.ProcessEnv = process.env): { config: PeregrineConfig; tokenNote: string } {
  const overrides: Array<{ path: string[]; value: unknown; source: string }> = [];
  if (o.port !== undefined) overrides.push({ path: ['server', 'port'], value: o.port, source: '--port' });
  if (o.host !== undefined) overrides.push({ path: ['server', 'host'], value: o.host, source: '--host' });
  if (o.dataDir !== undefined) overrides.push({ path: ['dataDir'], value: o.dataDir, source: '--data-dir' });
  const config = loadConfig({ file: o.config, env, overrides });
  if (o.demo) demoDetection(config);
  let tokenNote = '';
  if (config.auth.tokens.length === 0) {
    mkdirSync(config.dataDir, { recursive: true });
    const file = join(config.dataDir, 'token');
    let token: string;
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch {
      token = generateToken();
      writeFileSync(file, token + '\n', { mode: 0o600 });
    }
    config.auth.tokens = [token];
    tokenNote = o.demo ? token : `no token configured: using the one in ${file} (set PEREGRINE_TOKEN or PEREGRINE_TOKEN_FILE)`;
  }
  return { config, tokenNote };
}

async function runServe(o: ServeOptions): Promise<void> {
  const { config, tokenNote } = serveConfig(o);
  const hub = new Hub(config);
  const { url } = await hub.start();
  let feed: DemoFeed | null = null;
  let flows: DemoFlows | null = null;
  if (o.demo) {
    feed = new DemoFeed(hub, { speed: o.demoSpeed });
    feed.start();
    flows = new DemoFlows(hub, { speed: o.demoSpeed });
    flows.start();
    const token = tokenNote || '(the token you configured)';
    process.stdout.write(
      `Peregrine demo: a generated nginx Deployment (4 pods) is learnt for ~20 s, then a staged cryptominer starts in one pod (at 25 s) and an HTTP flood in another (at 90 s);\n  a flow model is trained on generated cluster traffic at start, then a port scan (at ~40 s) and a SYN flood follow.\n` +
        `  dashboard: ${url}/ui/#token=${tokenNote || '<token>'}\n  token:     ${token}\n  metrics:   ${url}/metrics\n  data dir:  ${config.dataDir}\nCtrl-C stops (queues are drained first).\n`,
    );
  } else {
    process.stdout.write(`peregrine serve: listening on ${url} (dashboard ${url}/ui/, data dir ${config.dataDir})\n`);
    if (tokenNote) process.stderr.write(`peregrine serve: ${tokenNote}\n`);
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      hub.logger.info({ signal }, 'shutting down: draining queues');
      void (async () => {
        await feed?.stop();
        await flows?.stop();
        await hub.stop();
        hub.logger.info('stopped');
        resolve();
      })();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
