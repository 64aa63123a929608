/**
 * Terminal I/O for `ourcoin wallet`: results to stdout, prompts and progress to stderr, and
 * one readline on stdin shared by every question (so the menu, the password prompts and the
 * confirmation never fight over the terminal, and typed-ahead or piped lines are not lost).
 *
 * Secrets (passwords, the recovery phrase) are read with echo off: readline's output goes
 * through a sink that is muted while a secret is typed, and also between questions, so what is
 * typed ahead (a password typed right after answering "Send it?", before its prompt shows) is
 * never echoed; it is kept, and answers the next question. A hidden prompt is written past
 * readline, which would otherwise redraw the typed-ahead text after it. History is off, so a
 * secret can never come back with the up arrow. Ctrl-C restores the terminal and exits with 130.
 *
 * With `json`, results (`out`) are not printed: the command prints its one JSON document itself.
 */
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { OurCoinError } from '../errors.js';

export interface Progress {
  stop(): void;
}

export interface WalletIo {
  /** stdin is a terminal: questions can be asked, passwords typed. */
  readonly interactive: boolean;
  /** A result line (stdout). */
  out(text: string): void;
  /** A note or warning for the person at the terminal (stderr). */
  note(text: string): void;
  /** One line from stdin, echoed. Rejects with WALLET_INPUT_CLOSED at end of input. */
  ask(question: string): Promise<string>;
  /** One line from stdin, never echoed. */
  askSecret(question: string): Promise<string>;
  /** A spinner on a terminal; nothing otherwise. */
  progress(text: string): Progress;
  /** Releases stdin (the process can then exit). */
  close(): void;
}

export interface TerminalIoOptions {
  readonly input?: NodeJS.ReadStream;
  readonly output?: NodeJS.WriteStream;
  readonly errorOutput?: NodeJS.WriteStream;
  /** --json: `out` prints nothing (the command prints one JSON document on stdout instead). */
  readonly json?: boolean;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function terminalIo(opts: TerminalIoOptions = {}): WalletIo {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const errorOutput = opts.errorOutput ?? process.stderr;
  const interactive = input.isTTY === true;

  let rl: Interface | undefined;
  let closed = false;
  // Echo is on only while a question that shows its answer waits for it.
  let muted = true;
  const lines: string[] = [];
  let waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;

  // readline writes its prompt and its echo here; muted while a secret is typed.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) errorOutput.write(chunk);
      callback();
    },
  });

  const endOfInput = (): OurCoinError =>
    new OurCoinError('WALLET_INPUT_CLOSED', 'input ended before an answer was given', 'input');

  function reader(): Interface {
    if (rl) return rl;
    rl = createInterface({ input, output: sink, terminal: interactive, historySize: 0 });
    rl.on('line', (line) => {
      // Now, not when the answer is taken: the rest of a typed-ahead chunk is read in this same tick.
      muted = true;
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w.resolve(line);
      } else {
        lines.push(line);
      }
    });
    rl.on('close', () => {
      closed = true;
      if (waiting) errorOutput.write('\n');
      waiting?.reject(endOfInput());
      waiting = undefined;
    });
    // In raw mode Ctrl-C arrives as a key, not a signal: give the terminal back and stop.
    rl.on('SIGINT', () => {
      rl?.close();
      errorOutput.write('\n');
      process.exit(130);
    });
    return rl;
  }

  function question(prompt: string, secret: boolean): Promise<string> {
    // Lines read before the end of input still answer, in order.
    if (closed && lines.length === 0) return Promise.reject(endOfInput());
    muted = secret;
    if (!closed) {
      const r = reader();
      if (secret) {
        // Past readline: its prompt() would redraw typed-ahead characters after the prompt.
        errorOutput.write(prompt);
        r.setPrompt('');
      } else {
        r.setPrompt(prompt);
      }
      r.prompt(secret);
    } else {
      errorOutput.write(prompt);
    }
    const finish = (line: string): string => {
      muted = true;
      // The Enter key's echo was muted (secret), or there is no echo at all (not a terminal).
      if (secret || !interactive) errorOutput.write('\n');
      return line;
    };
    const queued = lines.shift();
    if (queued !== undefined) return Promise.resolve(finish(queued));
    return new Promise<string>((resolve, reject) => {
      waiting = {
        resolve: (line) => resolve(finish(line)),
        reject: (err) => {
          muted = true;
          reject(err);
        },
      };
    });
  }

  return {
    interactive,
    out: (text) => {
      if (!opts.json) output.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    note: (text) => void errorOutput.write(text.endsWith('\n') ? text : `${text}\n`),
    ask: (prompt) => question(prompt, false),
    askSecret: (prompt) => question(prompt, true),
    progress(text) {
      if (!errorOutput.isTTY) return { stop: () => undefined };
      const started = Date.now();
      let frame = 0;
      const draw = (): void => {
        const seconds = Math.floor((Date.now() - started) / 1000);
        errorOutput.write(`\r${SPINNER[frame++ % SPINNER.length]} ${text} ${seconds}s`);
      };
      draw();
      const timer = setInterval(draw, 100);
      return {
        stop() {
          clearInterval(timer);
          errorOutput.write('\r\x1b[K');
        },
      };
    },
    close() {
      if (rl && !closed) rl.close();
      closed = true;
    },
  };
}
