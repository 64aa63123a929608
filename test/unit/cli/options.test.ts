/**
 * The one integer parser behind every integer flag of `ourcoin`: plain decimal only, in range,
 * and a refusal that names the range.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { integerOption } from '../../../src/cli/options.js';
import { registerNodeCommand } from '../../../src/cli/nodeCommand.js';
import { registerWalletCommand } from '../../../src/cli/walletCommand.js';

describe('integerOption', () => {
  const threads = integerOption(1, 256);

  it.each([
    ['1', 1],
    ['256', 256],
    ['007', 7],
  ])('accepts %j as %d', (text, n) => {
    expect(threads(text)).toBe(n);
  });

  it.each(['0', '257', '1e1', '0x10', '12abc', ' 12', '12 ', '', '-', '+5', '1.0', '1.5', 'Infinity', 'NaN'])(
    'refuses %j, naming the range',
    (text) => {
      expect(() => threads(text)).toThrow(InvalidArgumentError);
      expect(() => threads(text)).toThrow('expected an integer from 1 to 256');
    },
  );

  it('takes negative numbers where the range allows them, and gives -0 back as 0', () => {
    const offset = integerOption(-10, 10);
    expect(offset('-10')).toBe(-10);
    expect(() => offset('-11')).toThrow('expected an integer from -10 to 10');
    expect(Object.is(integerOption(0, 1)('-0'), 0)).toBe(true);
  });

  it('refuses digits past the safe-integer range instead of rounding them', () => {
    const wide = integerOption(0, Number.MAX_SAFE_INTEGER);
    expect(wide(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => wide('9007199254740993')).toThrow(InvalidArgumentError);
  });
});

/** Parses argv with the real command definitions, in-process; an option error comes back as its message. */
async function optionError(register: (program: Command) => void, args: string[]): Promise<string> {
  let stderr = '';
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: (text) => (stderr += text), writeOut: () => undefined })
    // Should a flag be accepted after all, fail here rather than start a node or open a wallet.
    .hook('preAction', () => {
      throw new Error(`${args.join(' ')}: parsed without complaint`);
    });
  // Subcommands copy exitOverride and the output settings when they are created, so register after.
  register(program);
  const error = await program.parseAsync(args, { from: 'user' }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(CommanderError);
  expect((error as CommanderError).code).toBe('commander.invalidArgument');
  return stderr;
}

describe('ourcoin integer flags, as the CLI parses them', () => {
  it('node --threads 1e1 is refused before the node starts', async () => {
    expect(await optionError(registerNodeCommand, ['node', '--threads', '1e1'])).toContain(
      "option '--threads <n>' argument '1e1' is invalid. expected an integer from 1 to 256",
    );
  });

  it('wallet history --limit refuses the same spelling the same way', async () => {
    expect(await optionError(registerWalletCommand, ['wallet', 'history', 'alice', '--limit', '1e1'])).toContain(
      'expected an integer from 1 to 100',
    );
  });
});
