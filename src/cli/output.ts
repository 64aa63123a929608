/**
 * The root program's `--json` convention: a command prints exactly one JSON document on
 * stdout (errors too, see main.ts), or text for people. Amounts stay strings of base units,
 * as the HTTP API gives them.
 */
import type { Command } from 'commander';

export function jsonWanted(cmd: Command): boolean {
  return cmd.optsWithGlobals<{ json?: boolean }>().json === true;
}

/** Prints `value` as JSON with --json, else the text `text()` makes of it. */
export function emit<T>(cmd: Command, value: T, text: (value: T) => string): void {
  process.stdout.write(jsonWanted(cmd) ? `${JSON.stringify(value, null, 2)}\n` : text(value));
}
