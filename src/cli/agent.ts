import { Command, Option } from 'commander';
import pino from 'pino';
import { loadConfig } from '../core/config.js';
import { tlsFetch } from '../service/tls.js';
import { PeregrineError } from '../core/errors.js';
import { Agent, AGENT_FORMATS, type AgentFormat } from '../service/agent.js';
import { createBus } from '../service/bus/index.js';
import { BusTransport, HttpTransport } from '../service/transport.js';
import { stdinLines, tailFile } from '../service/tail.js';
import type { FindingTransport } from '../service/contracts.js';

/**
 * `peregrine agent`: per node. Reads events from a file (tailed with --follow) or stdin, summarises and scores
 * them locally with the hub's models, forwards findings and a node summary to the hub (HTTP, or the NATS bus when
 * `agent.transport: bus`). SIGTERM/SIGINT close open intervals, send what is pending and exit 0.
 */

interface AgentCliOptions {
  hub?: string;
  format: AgentFormat;
  data: string;
  follow?: boolean;
  fromEnd?: boolean;
  config?: string;
  dataDir?: string;
  node?: string;
}

export function agentCommand(): Command {
  return new Command('agent')
    .description('per-node agent: tail events, score locally with the hub\'s models, forward findings to the hub')
    .addOption(new Option('--format <format>', 'event format').choices([...AGENT_FORMATS]).default('falco'))
    .option('--data <file>', 'event file to read, or - for stdin', '-')
    .option('--follow', 'keep reading the file as it grows (tail -f)')
    .option('--from-end', 'with --follow: start at the end of the file')
    .option('--hub <url>', 'hub base URL (default http://127.0.0.1:8080, or PEREGRINE_HUB_URL)')
    .option('--node <name>', 'node name put on findings (default the host name, or PEREGRINE_NODE)')
    .option('--data-dir <dir>', 'local models and forensics (default ./peregrine-data, or PEREGRINE_DATA_DIR)')
    .option('--config <file>', 'YAML config file (docs/config.md)')
    .action(async (o: AgentCliOptions) => runAgent(o));
}

async function runAgent(o: AgentCliOptions): Promise<void> {
  const overrides: Array<{ path: string[]; value: unknown; source: string }> = [];
  if (o.hub) overrides.push({ path: ['agent', 'hubUrl'], value: o.hub, source: '--hub' });
  if (o.dataDir) overrides.push({ path: ['dataDir'], value: o.dataDir, source: '--data-dir' });
  if (o.node) overrides.push({ path: ['node'], value: o.node, source: '--node' });
  const config = loadConfig({ file: o.config, overrides });
  if (config.node === '') config.node = (await import('node:os')).hostname();
  const token = config.auth.tokens[0];
  if (!token && config.agent.transport === 'http') {
    throw new PeregrineError('PGN_ERR_USAGE', 'the agent needs the hub token', { where: 'PEREGRINE_TOKEN', hint: 'set PEREGRINE_TOKEN or PEREGRINE_TOKEN_FILE to one of the hub tokens' });
  }
  const logger = pino({ level: config.logLevel, base: { service: 'peregrine-agent', node: config.node } });
  // https hub with a private CA and/or mutual TLS (agent.tls): findings and model downloads use the same client.
  const fetchImpl = tlsFetch(config.agent.tls);
  let transport: FindingTransport;
  if (config.agent.transport === 'bus') {
    if (!config.bus) throw new PeregrineError('PGN_ERR_BAD_PARAM', 'agent.transport is bus but there is no bus section', { where: 'bus', hint: 'see docs/config.md' });
    transport = new BusTransport(await createBus(config.bus), config.node);
  } else transport = new HttpTransport(config.agent.hubUrl, token ?? '', fetchImpl);
  const agent = new Agent(config, { logger, transport, token, fetchImpl });
  const started = await agent.start();
  logger.info({ hub: config.agent.hubUrl, transport: transport.kind, ...started }, 'agent started');
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const lines = o.data === '-' ? stdinLines() : tailFile(o.data, { follow: o.follow, fromEnd: o.fromEnd, signal: abort.signal });
  for await (const chunk of lines) {
    await agent.ingestLines(chunk, o.format);
    if (abort.signal.aborted) break;
  }
  await agent.stop();
  logger.info({ events: agent.events, bad: agent.bad, findingsSent: agent.sent, pending: agent.pendingFindings, dropped: agent.droppedFindings }, 'agent stopped');
}
