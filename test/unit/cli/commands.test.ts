/**
 * The command table (src/cli/commands.ts): a command line loads only its command's module,
 * and the help of every command reads cleanly.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, modulesFor } from '../../../src/cli/commands.js';

const names = (args: string[]): string[] => modulesFor(args).flatMap((m) => m.names);

describe('modulesFor', () => {
  it("loads only the command's own module", () => {
    expect(names(['wallet', 'list'])).toEqual(['wallet']);
    expect(names(['--json', 'block', '7'])).toEqual(['status', 'block', 'tx']);
    expect(names(['mine', '3', '--address', 'x'])).toEqual(['mine']);
  });

  it('loads nothing for --version, and everything for help or an unknown command', () => {
    expect(names(['--version'])).toEqual([]);
    expect(names(['-V'])).toEqual([]);
    const all = COMMAND_MODULES.flatMap((m) => m.names);
    expect(names(['--help'])).toEqual(all);
    expect(names(['help', 'wallet'])).toEqual(all);
    expect(names(['walet'])).toEqual(all);
  });
});

describe('every command', () => {
  it('registers the commands its module is listed with', async () => {
    for (const m of COMMAND_MODULES) {
      const program = new Command();
      (await m.load())(program);
      expect(program.commands.map((c) => c.name())).toEqual(m.names);
    }
  });

  it('states each default once: in the description or as commander prints it, not both', async () => {
    const program = new Command();
    for (const m of COMMAND_MODULES) (await m.load())(program);
    const doubled: string[] = [];
    const walk = (cmd: Command, path: string): void => {
      for (const o of cmd.options) {
        if (o.defaultValue !== undefined && /\(default\b/.test(o.description)) doubled.push(`${path} ${o.flags}`);
      }
      for (const sub of cmd.commands) walk(sub, `${path} ${sub.name()}`);
    };
    walk(program, 'ourcoin');
    expect(doubled).toEqual([]);
  });
});
