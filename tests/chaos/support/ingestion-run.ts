import type { Kafka } from 'kafkajs';
import { Headers, TopicCatalogue } from '@streamscore/contracts';
import {
  buildCorpus,
  type CorpusMessage,
  createTestTopics,
  DEDUPLICATING_FIXTURE_PIPELINE,
  MAX_ARRAY_ITEMS,
  MAX_MESSAGE_BYTES,
  randomName,
  readTopicToEnd,
} from '@streamscore/testing';
import { awaitInputCommitted, type ChaosStack } from './chaos-stack';

/** An ingestion run's topics, the corpus sent to them, and the service settings. */
export interface IngestionRun {
  readonly catalogue: TopicCatalogue;
  readonly groupId: string;
  readonly env: Record<string, string>;
  readonly valid: number;
  readonly invalid: number;
}

/** One invalid input in twenty, of the corpus' ten hostile kinds (libs/testing/src/fixtures/readings). */
export const INVALID_SHARE = 20;

export async function prepareIngestion(
  chaos: ChaosStack,
  events: number,
  settings: Record<string, string> = {},
): Promise<IngestionRun> {
  const prefix = randomName('chaos');
  const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
  await createTestTopics(chaos.admin, catalogue.all());
  const invalid = Math.round(events / INVALID_SHARE);
  await produceCorpus(chaos.kafka, catalogue.name('events'), buildCorpus(events - invalid, invalid, 11));
  const groupId = `${prefix}-group`;
  return {
    catalogue,
    groupId,
    valid: events - invalid,
    invalid,
    env: {
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      REDIS_URL: chaos.stack.redisUrl,
      // Events deduplicated by id: a replay after a kill must find its own claims (no DUPLICATE).
      STREAMSCORE_PIPELINE: DEDUPLICATING_FIXTURE_PIPELINE,
      STREAMSCORE_GROUP_ID: groupId,
      STREAMSCORE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
      STREAMSCORE_MAX_ARRAY_ITEMS: String(MAX_ARRAY_ITEMS),
      STREAMSCORE_MAX_BATCH_ROWS: '500',
      STREAMSCORE_SESSION_TIMEOUT_MS: '6000',
      ...settings,
    },
  };
}

export async function produceCorpus(kafka: Kafka, topic: string, corpus: readonly CorpusMessage[]) {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < corpus.length; i += 2_000) {
      await producer.send({
        topic,
        messages: corpus
          .slice(i, i + 2_000)
          .map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface IngestionOutcome {
  readonly validated: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  readonly missing: number;
}

/**
 * Reads both outputs with read_committed: a transaction left open by a killed producer would stall
 * the read (and the test would time out short), aborted ones are skipped. Validated records are
 * told apart by their canonical bytes (each input has a distinct id); dead letters by the source
 * partition:offset header they carry.
 */
export async function readIngestionOutcome(
  kafka: Kafka,
  run: IngestionRun,
  timeoutMs = 180_000,
): Promise<IngestionOutcome> {
  // The service's outputs and input offsets are one transaction: once the group committed all the
  // input, every output is visible and the end offsets taken by the reads below are final.
  await awaitInputCommitted(kafka, run.groupId, run.catalogue.name('events'), timeoutMs);
  const validated = await readTopicToEnd(kafka, run.catalogue.name('eventsValidated'), {
    isolation: 'read_committed',
    expected: run.valid,
    timeoutMs,
  });
  const dead = await readTopicToEnd(kafka, run.catalogue.name('eventsDeadLetter'), {
    isolation: 'read_committed',
    expected: run.invalid,
    timeoutMs: 60_000,
  });
  const ids = new Set(validated.map((m) => m.value?.toString('latin1')));
  const sources = new Set(
    dead.map(
      (m) => `${String(m.headers[Headers.sourcePartition])}:${String(m.headers[Headers.sourceOffset])}`,
    ),
  );
  return {
    validated: validated.length,
    deadLettered: dead.length,
    duplicates: validated.length - ids.size + (dead.length - sources.size),
    missing: Math.max(0, run.valid - ids.size) + Math.max(0, run.invalid - sources.size),
  };
}
