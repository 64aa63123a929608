/**
 * Every test file runs with its own empty OURCOIN_HOME and none of the user's OurCoin
 * environment: CLI and node processes the tests start must not read the developer's
 * ~/.ourcoin (its ourcoin.toml, wallets or chains). A test that wants a home sets its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

for (const name of ['OURCOIN_NETWORK', 'OURCOIN_NODE', 'OURCOIN_PASSWORD', 'OURCOIN_MNEMONIC'])
  delete process.env[name];
const home = mkdtempSync(join(tmpdir(), 'ourcoin-test-home-'));
process.env.OURCOIN_HOME = home;
process.on('exit', () => rmSync(home, { recursive: true, force: true }));
