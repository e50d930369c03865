import type { ChildProcess } from 'node:child_process';

/**
 * Stops a child process and resolves once it has exited (at once if it already has), so a test removes the
 * program's data folder only after the program stopped writing to it. SIGKILL after `graceMs` if it lingers.
 */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill(signal);
  });
}
