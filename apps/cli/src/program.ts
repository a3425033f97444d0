import { Command } from 'commander';
import { topicsCommand } from './commands/topics.command';

export function buildProgram(): Command {
  const program = new Command('streamscore')
    .description('streamscore: streaming ML inference on Kafka')
    .showHelpAfterError()
    .configureOutput({
      outputError: (text, write) => {
        write(text);
      },
    });
  program.addCommand(topicsCommand());
  return program;
}
