/**
 * The `ourcoin` command line run as a child process from the sources (tsx), as a user would run
 * it: its exit code, stdout and stderr. Only a CLI that hangs for good is killed.
 */
import { spawn } from 'node:child_process';
import { WAIT_LIMIT_MS } from './nodeProcess.js';

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), WAIT_LIMIT_MS);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}
