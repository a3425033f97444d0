import type { ResolvedStack } from '../stack/resolve-stack';
import { runNeedsStack, type JestSelection } from './test-selection';

/** Shared with global-teardown, which jest runs in this same process. */
export const STACK_KEY = '__streamscoreTestStack';

/**
 * Brings the brokers up when the run includes integration tests, and exports KAFKA_BROKERS and
 * REDIS_URL before jest forks its workers (they inherit this process's environment).
 * Unit-only runs load nothing and start nothing.
 */
export default async function globalSetup(globalConfig: JestSelection): Promise<void> {
  if (!runNeedsStack(globalConfig)) return;
  const log = (line: string) => {
    process.stderr.write(`[stack] ${line}\n`);
  };
  const { resolveTestStack } = await import('../stack/resolve-stack');
  const started = Date.now();
  // The lease keeps a concurrent jest run's teardown from stopping a broker this run still uses.
  const stack = await resolveTestStack({ log, local: { lease: true } });
  process.env['KAFKA_BROKERS'] = stack.kafkaBrokers;
  process.env['REDIS_URL'] = stack.redisUrl;
  (globalThis as Record<string, unknown>)[STACK_KEY] = stack;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  log(
    `${stack.kind}: Kafka ${stack.kafkaBrokers} (${stack.kafka.ownership}), Redis ${stack.redisUrl} (${stack.redis.ownership}) in ${seconds} s`,
  );
}

export function takeStack(): ResolvedStack | undefined {
  const holder = globalThis as Record<string, unknown>;
  const stack = holder[STACK_KEY] as ResolvedStack | undefined;
  holder[STACK_KEY] = undefined;
  return stack;
}
