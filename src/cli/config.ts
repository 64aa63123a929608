/**
 * Settings from a TOML file and the environment, for every option of every command.
 *
 * A file's top-level keys hold settings shared by every command that has the option (`network`,
 * `node`, `password-file`, ...); a table named after a command (`[node]`, `[wallet]`,
 * `[wallet.send]`, `[devnet]`, `[admin]`) holds that command's own, and wins over the top level.
 * Keys are the long option names without `--` (`api-port`, `p2p = false` for `--no-p2p`).
 * Precedence: flag > environment > file > default. The file's values go through the option's own
 * parser, so a bad one is refused as the flag would be, naming the file, line and key.
 * Secrets are never read from the file: a password or phrase there would sit unencrypted.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { TomlError, parse } from 'smol-toml';
import { OurCoinError } from '../errors.js';
import { CliErrorCode } from './interface.js';

/** Where an effective setting came from, strongest first. */
export type SettingSource = 'flag' | 'env' | 'file' | 'default';

/** The environment variables that set options, by option key (OURCOIN_HOME, _PASSWORD, _MNEMONIC are read where used). */
export const SETTING_ENV: Readonly<Record<string, string>> = { network: 'OURCOIN_NETWORK', node: 'OURCOIN_NODE' };

/** Keys refused in the file with a pointer to the safe way to give them. */
const SECRET_KEYS: Readonly<Record<string, string>> = {
  password: 'use password-file (a path) or OURCOIN_PASSWORD',
  mnemonic: 'use mnemonic-file (a path) or OURCOIN_MNEMONIC',
};

type Table = Record<string, unknown>;

export interface ConfigFile {
  readonly path: string;
  /** False when the default file does not exist (an explicit --config must). */
  readonly found: boolean;
  readonly table: Table;
  readonly text: string;
}

/** What settings are resolved from: the file and the environment. */
export interface SettingSources {
  readonly file: ConfigFile;
  readonly env: NodeJS.ProcessEnv;
}

export interface Setting {
  readonly value: unknown;
  readonly source: SettingSource;
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.OURCOIN_HOME ?? join(homedir(), '.ourcoin'), 'ourcoin.toml');
}

/** The option's key in the file: its long name without `--` (and without `no-`). */
export function optionKey(option: Option): string {
  const long = (option.long ?? option.name()).replace(/^--/, '');
  return option.negate ? long.replace(/^no-/, '') : long;
}

/** The options a command's settings cover (the root's own, --config and --json, are flags only). */
function settableOptions(cmd: Command): readonly Option[] {
  return cmd.parent ? cmd.options : [];
}

/** Reads and checks a config file against the program's commands; `explicit` files must exist. */
export function loadConfigFile(program: Command, path: string, explicit: boolean): ConfigFile {
  const where = resolve(path);
  let text: string;
  try {
    text = readFileSync(where, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!explicit && code === 'ENOENT') return { path: where, found: false, table: {}, text: '' };
    throw new OurCoinError(
      CliErrorCode.configUnreadable,
      `cannot read config file ${where} (${code ?? String(err)})`,
      'input',
    );
  }
  let table: Table;
  try {
    table = parse(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const what = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    throw new OurCoinError(CliErrorCode.configInvalid, `config file ${where}, line ${err.line}: ${what}`, 'input');
  }
  const file = { path: where, found: true, table, text };
  checkTable(file, program, table, []);
  return file;
}

/** Every key must be an option of the table's command or one below it, or a subcommand's table. */
function checkTable(file: ConfigFile, cmd: Command, table: Table, path: readonly string[]): void {
  for (const [key, value] of Object.entries(table)) {
    const sub = cmd.commands.find((c) => c.name() === key);
    if (sub && isTable(value)) {
      checkTable(file, sub, value, [...path, key]);
      continue;
    }
    const at = `config file ${file.path}${lineSuffix(file.text, path, key)}`;
    const secret = SECRET_KEYS[key];
    if (secret) {
      throw new OurCoinError(
        CliErrorCode.configSecret,
        `${at}: "${key}" is a secret and is never read from the config file; ${secret}`,
        'input',
      );
    }
    if (!hasOptionBelow(cmd, key)) {
      const where = path.length > 0 ? ` in [${path.join('.')}]` : '';
      throw new OurCoinError(
        CliErrorCode.configUnknownKey,
        `${at}: unknown key "${key}"${where} (see: ourcoin config show)`,
        'input',
      );
    }
  }
}

function hasOptionBelow(cmd: Command, key: string): boolean {
  return settableOptions(cmd).some((o) => optionKey(o) === key) || cmd.commands.some((c) => hasOptionBelow(c, key));
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** `, line n` of a key in a table, found in the text (smol-toml keeps no positions). */
function lineSuffix(text: string, tablePath: readonly string[], key: string): string {
  let current = '';
  const want = tablePath.join('.');
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(lines[i]!);
    if (header) {
      current = header[1]!.replace(/["'\s]/g, '');
      continue;
    }
    const assigned = /^\s*["']?([A-Za-z0-9_-]+)["']?\s*=/.exec(lines[i]!);
    if (current === want && assigned?.[1] === key) return `, line ${i + 1}`;
  }
  return '';
}

/** The command names from below the root down to `cmd`, like ['wallet', 'send']. */
function commandPath(cmd: Command): string[] {
  const path: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) path.unshift(c.name());
  return path;
}

/**
 * The value an option of `cmd` gets when no flag gives it: its environment variable, else
 * the most specific table of the file that has its key, else its default.
 */
export function resolveSetting(cmd: Command, option: Option, sources: SettingSources): Setting {
  const key = optionKey(option);
  const envName = SETTING_ENV[key];
  const envValue = envName ? sources.env[envName] : undefined;
  if (envName && envValue !== undefined && envValue !== '') {
    return { value: parseValue(option, envValue, `${envName}=${envValue}`), source: 'env' };
  }
  const path = commandPath(cmd);
  for (let depth = path.length; depth >= 0; depth--) {
    const table = tableAt(sources.file.table, path.slice(0, depth));
    const value = table?.[key];
    // A top-level `node` table is the node command's section, not the --node URL.
    if (value === undefined || isTable(value)) continue;
    const at = `config file ${sources.file.path}${lineSuffix(sources.file.text, path.slice(0, depth), key)}`;
    return { value: parseValue(option, value, `${at}: ${key} = ${JSON.stringify(value)}`), source: 'file' };
  }
  // Commander stores defaults at registration (--no-x's `true` too).
  return { value: cmd.getOptionValue(option.attributeName()) as unknown, source: 'default' };
}

function tableAt(root: Table, path: readonly string[]): Table | undefined {
  let table: Table | undefined = root;
  for (const name of path) {
    const next: unknown = table?.[name];
    table = isTable(next) ? next : undefined;
  }
  return table;
}

/** A file or environment value through the option's own parser, as a flag's would go. */
function parseValue(option: Option, raw: unknown, where: string): unknown {
  const refuse = (why: string): never => {
    throw new OurCoinError(CliErrorCode.configBadValue, `${where}: ${why}`, 'input');
  };
  if (option.isBoolean() || option.negate) {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return refuse('expected true or false');
  }
  const repeatable = Array.isArray(option.defaultValue);
  const items = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (Array.isArray(raw) && !repeatable) refuse('expected one value, not a list');
  let value: unknown = repeatable ? option.defaultValue : undefined;
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') return refuse('expected a string or a number');
    const text = String(item);
    try {
      value = option.parseArg ? option.parseArg(text, value) : text;
    } catch (err) {
      return refuse((err as Error).message);
    }
  }
  return value;
}

/**
 * Fills every option of `cmd` and its parents that no flag set, from the environment and
 * the file (commander records 'env' or 'config' as the value's source).
 */
export function applySettings(cmd: Command, sources: SettingSources): void {
  for (let c: Command | null = cmd; c?.parent; c = c.parent) {
    for (const option of settableOptions(c)) {
      const name = option.attributeName();
      const source = c.getOptionValueSource(name);
      if (source !== undefined && source !== 'default') continue;
      const setting = resolveSetting(c, option, sources);
      if (setting.source !== 'default') {
        c.setOptionValueWithSource(name, setting.value, setting.source === 'env' ? 'env' : 'config');
      }
    }
  }
}

/** Every command's effective settings, by command path ('node', 'wallet send') and key. */
export function describeSettings(program: Command, sources: SettingSources): Record<string, Record<string, Setting>> {
  const out: Record<string, Record<string, Setting>> = {};
  const visit = (cmd: Command): void => {
    const options = settableOptions(cmd).filter((o) => optionKey(o) !== 'help');
    if (options.length > 0) {
      const settings: Record<string, Setting> = {};
      for (const option of options) {
        const name = option.attributeName();
        settings[optionKey(option)] =
          cmd.getOptionValueSource(name) === 'cli'
            ? { value: cmd.getOptionValue(name) as unknown, source: 'flag' }
            : resolveSetting(cmd, option, sources);
      }
      out[commandPath(cmd).join(' ')] = settings;
    }
    cmd.commands.forEach(visit);
  };
  visit(program);
  return out;
}

/**
 * Adds `--config <file>` and `ourcoin config show` to the program, and the hook that applies
 * the settings before any command's action runs.
 */
export function installConfig(program: Command, env: NodeJS.ProcessEnv = process.env): void {
  program.option('--config <file>', `settings file (TOML; default: ${defaultConfigPath(env)})`);
  let sources: SettingSources | undefined;
  program.hook('preAction', (root, action) => {
    const explicit = root.opts<{ config?: string }>().config;
    sources = { file: loadConfigFile(root, explicit ?? defaultConfigPath(env), explicit !== undefined), env };
    applySettings(action, sources);
  });
  const config = program.command('config').description('settings from the config file and the environment');
  config
    .command('show')
    .description("every command's effective settings and where each comes from (flag, env, file, default)")
    .action((_opts: object, cmd: Command) => {
      const settings = describeSettings(program, sources!);
      const file = { path: sources!.file.path, found: sources!.file.found };
      if (cmd.optsWithGlobals<{ json?: boolean }>().json) {
        process.stdout.write(JSON.stringify({ file, settings }, jsonValue, 2) + '\n');
        return;
      }
      process.stdout.write(formatSettings(file, settings));
    });
}

function jsonValue(_key: string, value: unknown): unknown {
  return value === undefined ? null : value;
}

function formatSettings(file: { path: string; found: boolean }, all: Record<string, Record<string, Setting>>): string {
  const lines = [`config file  ${file.path}${file.found ? '' : '  (not found: defaults and environment only)'}`];
  for (const [command, settings] of Object.entries(all)) {
    lines.push('', `[${command.replace(' ', '.')}]`);
    const width = Math.max(...Object.keys(settings).map((k) => k.length));
    for (const [key, { value, source }] of Object.entries(settings)) {
      const shown = value === undefined ? '-' : typeof value === 'string' ? value : JSON.stringify(value);
      lines.push(`  ${key.padEnd(width)}  ${shown.padEnd(24)}  ${source}`);
    }
  }
  return lines.join('\n') + '\n';
}
