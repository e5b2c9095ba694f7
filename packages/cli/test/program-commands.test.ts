/**
 * `txreplay <command> …` defines that command alone (src/program.ts commandsFor: start-up); every other first word
 * (`--help`, `help`, a mistyped command) defines them all. Each name must map to the module that defines that name.
 */
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { commandsFor } from '../src/program.js';

const namesOf = (modules: readonly { register(program: Command): void }[]): string[] => {
  const program = new Command();
  for (const m of modules) m.register(program);
  return program.commands.map((c) => c.name());
};

describe('commands defined for a command line', () => {
  it('a command name defines that command alone, anything else all of them', () => {
    const all = namesOf(commandsFor(undefined));
    expect(all).toEqual([
      'ingest',
      'inspect',
      'capture',
      'simulate',
      'diagnose',
      'replay',
      'report',
      'bulk',
      'query',
      'export',
    ]);
    for (const name of all) expect(namesOf(commandsFor(name))).toEqual([name]);
    for (const first of ['--help', 'help', '-V', 'diagnos', 'DIAGNOSE'])
      expect(namesOf(commandsFor(first))).toEqual(all);
  });
});
