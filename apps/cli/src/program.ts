import { Command } from 'commander';
import { consumeCommand } from './commands/consume.command';
import { dlqCommand } from './commands/dlq.command';
import { driftCommand } from './commands/drift.command';
import { modelsCommand } from './commands/models.command';
import { produceCommand } from './commands/produce.command';
import { scoreCommand } from './commands/score.command';
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
  program.addCommand(produceCommand());
  program.addCommand(consumeCommand());
  program.addCommand(driftCommand());
  program.addCommand(modelsCommand());
  program.addCommand(dlqCommand());
  program.addCommand(scoreCommand());
  program.addCommand(topicsCommand());
  return program;
}
