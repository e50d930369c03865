#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, PeregrineError, isPeregrineError } from '../core/errors.js';
import { PEREGRINE_VERSION } from '../core/version.js';
import { trainCommand } from './train.js';
import { scoreCommand } from './score.js';
import { evaluateCommand } from './evaluate.js';
import { inspectCommand } from './inspect.js';
import { demoCommand } from './demo.js';
import { detectorsCommand } from './detectors.js';
import { summarizeCommand } from './summarize.js';
import { forensicsCommand } from './forensics.js';
import { alertsCommand, responseCommand } from './ops.js';
import { replayCommand } from './replay.js';
import { imagesCommand } from './images.js';
import { simulateCommand } from './simulate.js';
import { serveCommand } from './serve.js';
import { agentCommand } from './agent.js';
import { BACKEND_CHOICES, BACKEND_ENV } from '../training/tf/runtime.js';

/**
 * The `peregrine` command. User errors print one line (`peregrine: PGN_ERR_...: where: what (what to do)`) and
 * exit with the documented code (docs/errors.md); only a bug prints a stack trace, and only with PEREGRINE_DEBUG=1.
 */

/**
 * Commander's own parse errors (missing or unknown option, invalid choice) in the documented one-line form:
 * `peregrine: PGN_ERR_USAGE: what (see peregrine CMD --help)`, the suggestion folded into the same line.
 */
export function usageErrorLine(message: string, command: string): string {
  const what = message
    .replace(/^error: /, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return `peregrine: PGN_ERR_USAGE: ${what} (see \`${command} --help\`)\n`;
}

function configureErrors(cmd: Command, name: string): Command {
  return cmd.exitOverride().configureOutput({
    writeErr: (s) => process.stderr.write(s),
    outputError: (s, write) => write(usageErrorLine(s, name)),
  });
}

export function buildProgram(): Command {
  const program = configureErrors(new Command('peregrine'), 'peregrine')
    .description('Peregrine: learns what normal looks like for each Kubernetes workload and reports departures with evidence')
    .version(PEREGRINE_VERSION)
    .showSuggestionAfterError(true)
    // Global, before or after the command name: neural models resolve `auto` through PEREGRINE_TF_BACKEND.
    .addOption(new Option('--backend <name>', 'TF.js backend for neural models (sets PEREGRINE_TF_BACKEND)').choices([...BACKEND_CHOICES]))
    .hook('preAction', (cmd) => {
      const backend = cmd.opts<{ backend?: string }>().backend;
      if (backend) process.env[BACKEND_ENV] = backend;
    });
  for (const cmd of [trainCommand(), scoreCommand(), evaluateCommand(), inspectCommand(), demoCommand(), detectorsCommand(), summarizeCommand(), imagesCommand(), serveCommand(), agentCommand(), simulateCommand()]) {
    program.addCommand(configureErrors(cmd, `peregrine ${cmd.name()}`));
  }
  program.addCommand(configureErrors(forensicsCommand(), 'peregrine forensics'));
  program.addCommand(configureErrors(replayCommand(), 'peregrine replay'));
  program.addCommand(configureErrors(alertsCommand(), 'peregrine alerts'));
  program.addCommand(configureErrors(responseCommand(), 'peregrine response'));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return ExitCode.OK;
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // Commander already printed its message (help and version exit 0).
    return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  if (isPeregrineError(e)) {
    process.stderr.write(`peregrine: ${e.oneLine()}\n`);
    return e.exitCode;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EPIPE') return ExitCode.OK;
  if (err?.code === 'ENOENT' || err?.code === 'EACCES' || err?.code === 'EISDIR') {
    const pe = new PeregrineError(err.code === 'ENOENT' ? 'PGN_ERR_FILE_NOT_FOUND' : 'PGN_ERR_IO', err.message, { where: err.path });
    process.stderr.write(`peregrine: ${pe.oneLine()}\n`);
    return pe.exitCode;
  }
  process.stderr.write(`peregrine: PGN_ERR_INTERNAL: ${err?.message ?? String(e)} (a bug: please report it; PEREGRINE_DEBUG=1 shows the stack)\n`);
  if (process.env.PEREGRINE_DEBUG === '1') process.stderr.write(`${err?.stack ?? ''}\n`);
  return ExitCode.INTERNAL;
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry || process.argv[1]?.endsWith('/peregrine')) {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
