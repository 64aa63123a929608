/**
 * Where a password comes from, in order: `--password-file` (its first line),
 * `OURCOIN_PASSWORD` (for scripts), or a hidden prompt on a terminal. Never echoed, never logged.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { OurCoinError } from '../errors.js';

export interface PasswordSource {
  readonly passwordFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: NodeJS.ReadStream;
  readonly output?: NodeJS.WriteStream;
}

export const PASSWORD_ENV = 'OURCOIN_PASSWORD';

/** Reads a password; with `confirm`, a prompt asks twice (for a new keystore). */
export async function getPassword(src: PasswordSource, purpose: string, confirm = false): Promise<string> {
  if (src.passwordFile) {
    let text: string;
    try {
      text = readFileSync(src.passwordFile, 'utf8');
    } catch (err) {
      throw new OurCoinError(
        'PASSWORD_FILE_UNREADABLE',
        `cannot read password file ${src.passwordFile}: ${(err as Error).message}`,
        'input',
      );
    }
    const line = text.split(/\r?\n/)[0] ?? '';
    if (!line) throw new OurCoinError('PASSWORD_EMPTY', `password file ${src.passwordFile} is empty`, 'input');
    return line;
  }
  const fromEnv = (src.env ?? process.env)[PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  const input = src.input ?? process.stdin;
  const output = src.output ?? process.stderr;
  if (!input.isTTY) {
    throw new OurCoinError(
      'PASSWORD_REQUIRED',
      `${purpose}: no password given; use --password-file FILE or ${PASSWORD_ENV}=..., or run in a terminal to be asked`,
      'input',
    );
  }
  for (;;) {
    const first = await promptHidden(`${purpose} password: `, input, output);
    if (!first) {
      output.write('The password must not be empty.\n');
      continue;
    }
    if (!confirm) return first;
    if ((await promptHidden('Repeat the password: ', input, output)) === first) return first;
    output.write('The passwords differ; try again.\n');
  }
}

/** A line from a terminal with echo off. */
function promptHidden(question: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: true });
    // Mute everything readline writes after the question, so typed characters never show.
    const write = output.write.bind(output);
    let muted = false;
    (output as { write: unknown }).write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean =>
      muted ? true : (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    rl.question(question, (answer) => {
      (output as { write: unknown }).write = write;
      output.write('\n');
      rl.close();
      resolve(answer);
    });
    muted = true;
  });
}
