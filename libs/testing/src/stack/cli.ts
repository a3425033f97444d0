/**
 * npm run stack:up | stack:down | stack:status
 * Progress goes to stderr; `up` prints KAFKA_BROKERS=… and REDIS_URL=… on stdout, so
 * `eval "$(npm run -s stack:up)"` exports them.
 */
import { Command, InvalidArgumentError } from 'commander';
import { StackError } from './errors';
import { startStack, stackStatus, stopStack, type ComponentStatus } from './local-stack';
import type { StackOptionsInput } from './options';

interface CliOptions {
  readonly kafkaPort?: number;
  readonly controllerPort?: number;
  readonly redisPort?: number;
  readonly dataDir?: string;
}

const progress = (line: string): void => {
  process.stderr.write(line + '\n');
};

function toInput(cli: CliOptions): StackOptionsInput {
  return { ...cli, log: progress };
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65_535)
    throw new InvalidArgumentError('expected a port number 1..65535');
  return parsed;
}

function describe(name: string, status: ComponentStatus): string {
  switch (status.state) {
    case 'ours':
      return `${name}: ours at ${status.address} (pid ${status.pid}${status.answering ? '' : ', NOT answering'})`;
    case 'reused':
      return `${name}: reused at ${status.address} (not started by the stack)`;
    case 'down':
      return `${name}: down (${status.address})`;
  }
}

async function up(cli: CliOptions): Promise<void> {
  const started = Date.now();
  const stack = await startStack(toInput(cli));
  const verb = { started: 'started', ours: 'already running (ours)', reused: 'reused' } as const;
  progress(`kafka: ${verb[stack.kafka.ownership]} at ${stack.kafkaBrokers}`);
  progress(`redis: ${verb[stack.redis.ownership]} at ${stack.redisUrl}`);
  progress(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.stdout.write(`KAFKA_BROKERS=${stack.kafkaBrokers}\nREDIS_URL=${stack.redisUrl}\n`);
}

async function down(cli: CliOptions): Promise<void> {
  const stopped = await stopStack(toInput(cli));
  progress(`kafka: ${stopped.kafka ? 'stopped' : 'nothing of ours was running'}`);
  progress(`redis: ${stopped.redis ? 'stopped' : 'nothing of ours was running'}`);
}

async function status(cli: CliOptions): Promise<void> {
  const report = await stackStatus(toInput(cli));
  process.stdout.write(
    `data dir: ${report.dataDir}\n${describe('kafka', report.kafka)}\n${describe('redis', report.redis)}\n`,
  );
}

function run(action: (cli: CliOptions) => Promise<void>) {
  return async (cli: CliOptions): Promise<void> => {
    try {
      await action(cli);
      process.exit(0);
    } catch (error) {
      const message =
        error instanceof StackError
          ? error.message
          : error instanceof Error
            ? (error.stack ?? error.message)
            : String(error);
      process.stderr.write(`stack: ${message}\n`);
      process.exit(1);
    }
  };
}

const program = new Command('stack').description(
  'a real Kafka broker and Redis for development and tests, without Docker',
);
for (const [name, summary, action] of [
  ['up', 'start (or reuse) Kafka and Redis; print their addresses', up],
  ['down', 'stop what `up` started, and nothing else', down],
  ['status', 'report each component: ours, reused or down', status],
] as const) {
  program
    .command(name)
    .description(summary)
    .option('--kafka-port <port>', 'Kafka client port (default 9092)', port)
    .option('--controller-port <port>', 'KRaft controller port (default kafka port + 1)', port)
    .option('--redis-port <port>', 'Redis port (default 6379)', port)
    .option(
      '--data-dir <dir>',
      'data dir (default $STREAMSCORE_STACK_DIR/<kafka port> or ~/.cache/streamscore/stack/<kafka port>)',
    )
    .action(run(action));
}
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`stack: ${String(error)}\n`);
  process.exit(1);
});
