import { StackErrors } from './errors';
import { startStack, type StackHandle } from './local-stack';
import type { StackOptionsInput } from './options';
import { kafkaAnswers, redisAnswers } from './readiness';

export const TEST_STACK_KINDS = ['auto', 'local', 'docker', 'external'] as const;
export type TestStackKind = (typeof TEST_STACK_KINDS)[number];

export interface ResolvedStack extends StackHandle {
  /** Where the brokers came from (auto resolves to one of the others). */
  readonly kind: Exclude<TestStackKind, 'auto'>;
}

export interface ResolveOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  /** Passed to the local stack (ports, data dir). */
  readonly local?: StackOptionsInput;
}

export function parseTestStackKind(value: string | undefined): TestStackKind {
  const kind = (value ?? 'auto').trim().toLowerCase() || 'auto';
  if ((TEST_STACK_KINDS as readonly string[]).includes(kind)) return kind as TestStackKind;
  throw StackErrors.badOption(`TEST_STACK=${String(value)} is not one of ${TEST_STACK_KINDS.join('|')}`);
}

/**
 * TEST_STACK decides where tests get their brokers; tests only see KAFKA_BROKERS / REDIS_URL.
 * external: the given addresses, as they are. local: the local stack. docker: testcontainers.
 * auto: the given addresses if both answer, else docker if an engine answers, else local.
 */
export async function resolveTestStack(options: ResolveOptions = {}): Promise<ResolvedStack> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const kind = parseTestStackKind(env['TEST_STACK']);
  const kafkaBrokers = env['KAFKA_BROKERS']?.trim();
  const redisUrl = env['REDIS_URL']?.trim();
  if (kind === 'external') {
    const missing = [kafkaBrokers ? '' : 'KAFKA_BROKERS', redisUrl ? '' : 'REDIS_URL'].filter(Boolean);
    if (!kafkaBrokers || !redisUrl) throw StackErrors.missingAddresses(missing);
    return externalStack(kafkaBrokers, redisUrl);
  }
  if (
    kind === 'auto' &&
    kafkaBrokers &&
    redisUrl &&
    (await kafkaAnswers(kafkaBrokers)) &&
    (await redisAnswers(redisUrl))
  ) {
    return externalStack(kafkaBrokers, redisUrl);
  }
  if (kind === 'docker' || (kind === 'auto' && (await dockerAnswers()))) {
    const { startDockerStack } = await import('./docker-stack');
    return { kind: 'docker', ...(await startDockerStack(log)) };
  }
  return { kind: 'local', ...(await startStack({ log, ...options.local })) };
}

/** testcontainers' runtime lookup rejects within milliseconds when there is no engine. */
async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

function externalStack(kafkaBrokers: string, redisUrl: string): ResolvedStack {
  const notOurs = (what: string) => () => Promise.reject(StackErrors.notOurs(what));
  return {
    kind: 'external',
    kafkaBrokers,
    redisUrl,
    kafka: { address: kafkaBrokers, ownership: 'reused' },
    redis: { address: redisUrl, ownership: 'reused' },
    stop: () => Promise.resolve(),
    stopKafka: notOurs(`Kafka at ${kafkaBrokers}`),
    startKafka: notOurs(`Kafka at ${kafkaBrokers}`),
    stopRedis: notOurs(`Redis at ${redisUrl}`),
    startRedis: notOurs(`Redis at ${redisUrl}`),
  };
}
