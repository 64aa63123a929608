/**
 * Settings from the config file and the environment, on the real `node` and `wallet` options:
 * flag > env > file > default, values through each option's own parser, and one line naming
 * the file, line and key for anything the file gets wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfigPath, describeSettings, installConfig, loadConfigFile } from '../../../src/cli/config.js';
import { registerNodeCommand } from '../../../src/cli/nodeCommand.js';
import { registerWalletCommand } from '../../../src/cli/walletCommand.js';
import { OurCoinError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ourcoin-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function configFile(text: string): string {
  const path = join(dir, `c${files++}.toml`);
  writeFileSync(path, text);
  return path;
}

/** The real commands, with actions that only record the options they were given. */
function program(env: NodeJS.ProcessEnv = {}): { run: (args: string[]) => Promise<Record<string, unknown>> } {
  const root = new Command().exitOverride();
  root.option('--json', 'JSON', false);
  registerNodeCommand(root);
  registerWalletCommand(root);
  installConfig(root, { OURCOIN_HOME: dir, ...env });
  let seen: Record<string, unknown> = {};
  const record = (...args: unknown[]): void => {
    seen = (args.at(-1) as Command).optsWithGlobals();
  };
  const wallet = root.commands.find((c) => c.name() === 'wallet')!;
  root.commands.find((c) => c.name() === 'node')!.action(record);
  wallet.commands.find((c) => c.name() === 'send')!.action(record);
  return {
    run: async (args) => {
      await root.parseAsync(args, { from: 'user' });
      return seen;
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<OurCoinError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OurCoinError);
  return err as OurCoinError;
}

describe('config file and environment', () => {
  const file = configFile(
    [
      'network = "regtest"',
      'password-file = "/run/pw"',
      '',
      '[node]',
      'api-port = 19000',
      'p2p = false',
      'peer = ["/ip4/192.0.2.7/tcp/8331", "/ip4/192.0.2.8/tcp/8331"]',
      'log-level = "debug"',
      '',
      '[wallet.send]',
      'fee = "0.001"',
      'yes = true',
    ].join('\n'),
  );

  it('fills every option no flag gave, through its own parser, the command table winning over the top level', async () => {
    const opts = await program().run(['--config', file, 'node']);
    expect(opts).toMatchObject({
      network: 'regtest',
      apiPort: 19000,
      p2p: false,
      peer: ['/ip4/192.0.2.7/tcp/8331', '/ip4/192.0.2.8/tcp/8331'],
      logLevel: 'debug',
      passwordFile: '/run/pw',
      apiHost: '127.0.0.1',
    });
    const send = await program().run(['--config', file, 'wallet', 'send', 'a', 'b', '1']);
    expect(send).toMatchObject({ network: 'regtest', fee: '0.001', yes: true, passwordFile: '/run/pw' });
  });

  it('ranks a flag over the environment over the file over the default', async () => {
    const env = { OURCOIN_NETWORK: 'devnet', OURCOIN_NODE: 'http://127.0.0.1:9999' };
    const fromEnv = await program(env).run(['--config', file, 'wallet', 'send', 'a', 'b', '1']);
    expect(fromEnv).toMatchObject({ network: 'devnet', node: 'http://127.0.0.1:9999' });
    const fromFlag = await program(env).run(['--config', file, 'node', '--network', 'regtest', '--api-port', '1']);
    expect(fromFlag).toMatchObject({ network: 'regtest', apiPort: 1 });
    const fromDefault = await program().run(['--config', configFile(''), 'node']);
    expect(fromDefault).toMatchObject({ network: 'devnet', p2p: true, peer: [] });
    expect(fromDefault.apiPort).toBeUndefined();
  });

  it('reads $OURCOIN_HOME/ourcoin.toml by default and does without it when it is missing', async () => {
    writeFileSync(defaultConfigPath({ OURCOIN_HOME: dir }), '[node]\nthreads = 3\n');
    try {
      expect(await program().run(['node'])).toMatchObject({ threads: 3 });
    } finally {
      rmSync(defaultConfigPath({ OURCOIN_HOME: dir }));
    }
    expect(await program().run(['node'])).toMatchObject({ network: 'devnet' });
    const missing = await refusal(program().run(['--config', join(dir, 'none.toml'), 'node']));
    expect(missing.code).toBe('CONFIG_UNREADABLE');
    expect(missing.message).toContain('none.toml');
  });

  it('says where each effective setting comes from', () => {
    const root = new Command();
    registerNodeCommand(root);
    registerWalletCommand(root);
    const settings = describeSettings(root, {
      file: loadConfigFile(root, file, true),
      env: { OURCOIN_NODE: 'http://127.0.0.1:9999' },
    });
    expect(settings.node!.network).toEqual({ value: 'regtest', source: 'file' });
    expect(settings.node!['api-host']).toEqual({ value: '127.0.0.1', source: 'default' });
    expect(settings.wallet!.node).toEqual({ value: 'http://127.0.0.1:9999', source: 'env' });
    expect(settings['wallet send']!.fee).toEqual({ value: '0.001', source: 'file' });
  });

  it.each([
    ['[node]\napi-port = 70000\n', 'CONFIG_BAD_VALUE', 'line 2: api-port = 70000: expected an integer from 0 to 65535'],
    ['[node]\nlog-level = "verbose"\n', 'CONFIG_BAD_VALUE', 'line 2: log-level = "verbose": expected one of fatal'],
    ['\n[node]\napi-prot = 1\n', 'CONFIG_UNKNOWN_KEY', 'line 3: unknown key "api-prot" in [node]'],
    ['[wallet.send]\nnetwork = "regtest"\n', 'CONFIG_UNKNOWN_KEY', 'line 2: unknown key "network" in [wallet.send]'],
    ['password = "hunter2"\n', 'CONFIG_SECRET', 'line 1: "password" is a secret'],
    [
      '[wallet]\nmnemonic = "abandon"\n',
      'CONFIG_SECRET',
      'line 2: "mnemonic" is a secret and is never read from the config file; use mnemonic-file',
    ],
    ['[node]\nmine = "yes"\n', 'CONFIG_BAD_VALUE', 'line 2: mine = "yes": expected true or false'],
    [
      '[node]\napi-host = ["a", "b"]\n',
      'CONFIG_BAD_VALUE',
      'line 2: api-host = ["a","b"]: expected one value, not a list',
    ],
    ['network = "regtest"\nnetwork = "devnet"\n', 'CONFIG_INVALID', 'line 2'],
    ['[node\n', 'CONFIG_INVALID', 'line 1'],
  ])('refuses %j with %s, naming file, line and key', async (text, code, message) => {
    const path = configFile(text);
    const err = await refusal(program().run(['--config', path, 'node']));
    expect(err.code).toBe(code);
    expect(err.message).toContain(`config file ${path}, ${message}`);
    expect(err.message).not.toContain('\n');
    expect(err.message).not.toContain('hunter2');
  });

  it('takes an empty environment variable as unset', async () => {
    expect(await program({ OURCOIN_NETWORK: '' }).run(['--config', file, 'node'])).toMatchObject({
      network: 'regtest',
    });
  });
});
