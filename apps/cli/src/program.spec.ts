import type { Command } from 'commander';
import { buildProgram } from './program';

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

describe('buildProgram', () => {
  const commands = allCommands(buildProgram()).filter((command) => command.name() !== 'help');

  it('should declare every command of the issue', () => {
    const names = commands.map((command) => command.name());
    expect(names).toEqual(
      expect.arrayContaining(['produce', 'consume', 'drift', 'dlq', 'list', 'resend', 'score', 'topics']),
    );
  });

  it.each(commands.map((command) => [command.name(), command] as const))(
    'should show every option of %s in its --help, with a description',
    (_name, command) => {
      const help = command.helpInformation();
      for (const option of command.options) {
        expect(help).toContain(option.long ?? option.short ?? option.flags);
        expect(option.description.length).toBeGreaterThan(0);
      }
      for (const argument of command.registeredArguments) expect(help).toContain(argument.name());
      expect(command.description().length).toBeGreaterThan(0);
    },
  );
});

/** The program with every command throwing instead of exiting, and quiet. */
function testProgram(): Command {
  const program = buildProgram();
  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  }
  return program;
}

describe('topics delete', () => {
  it('should refuse to run without --prefix', async () => {
    await expect(testProgram().parseAsync(['node', 'streamscore', 'topics', 'delete'])).rejects.toThrow(
      "required option '--prefix <prefix>' not specified",
    );
  });
});

describe('dlq --code', () => {
  it.each([['list'], ['resend']])(
    'should refuse a code that is not a dead-letter code (dlq %s), naming the codes',
    async (sub) => {
      const program = buildProgram().exitOverride();
      for (const command of allCommands(program)) {
        command.exitOverride();
        command.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
      }
      await expect(
        program.parseAsync(['node', 'streamscore', 'dlq', sub, '--code', 'NOT_A_CODE']),
      ).rejects.toThrow(
        /option '--code <code>' argument 'NOT_A_CODE' is invalid\. not a dead-letter code; the codes are UNKNOWN_SCHEMA, .*DUPLICATE/,
      );
    },
  );
});
