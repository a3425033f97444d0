import { TopicCatalogue } from '@streamscore/contracts';
import type { Admin } from 'kafkajs';
import { randomName } from './names';
import { waitFor } from './wait-for';

export interface TestTopicSpec {
  readonly name: string;
  readonly partitions?: number;
  readonly cleanupPolicy?: 'delete' | 'compact';
  /** -1 keeps records forever. */
  readonly retentionMs?: number;
}

/**
 * Creates topics explicitly (the broker has auto.create.topics.enable=false) and waits for their
 * leaders. A TopicCatalogue's `all()` can be passed as is.
 */
export async function createTestTopics(admin: Admin, specs: readonly TestTopicSpec[]): Promise<void> {
  const created = await admin.createTopics({
    // kafkajs' own leader wait gives up on UNKNOWN_TOPIC_OR_PARTITION under load; we poll below instead.
    waitForLeaders: false,
    topics: specs.map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions ?? 1,
      replicationFactor: 1,
      configEntries: [
        ...(spec.cleanupPolicy ? [{ name: 'cleanup.policy', value: spec.cleanupPolicy }] : []),
        ...(spec.retentionMs !== undefined
          ? [{ name: 'retention.ms', value: String(spec.retentionMs) }]
          : []),
      ],
    })),
  });
  if (!created)
    throw new Error(
      `some of ${specs.map((spec) => spec.name).join(', ')} already existed: test topic names must be random`,
    );
  // CreateTopics returns before every partition leader serves requests: under load a producer
  // that starts at once can get UNKNOWN_TOPIC_OR_PARTITION. ListOffsets goes to each leader.
  for (const spec of specs)
    await waitFor(() => admin.fetchTopicOffsets(spec.name), {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: `leaders of ${spec.name}`,
    });
}

/** Deletes test topics; ones already gone are fine. */
export async function deleteTestTopics(
  admin: Admin,
  topics: readonly (string | TestTopicSpec)[],
): Promise<void> {
  const names = topics.map((topic) => (typeof topic === 'string' ? topic : topic.name));
  const existing = new Set(await admin.listTopics());
  const present = names.filter((name) => existing.has(name));
  if (present.length > 0) await admin.deleteTopics({ topics: present });
}

export interface TestCatalogueOptions {
  /** Readable part of the random prefix. */
  readonly prefix?: string;
  /** Data-topic partitions; small keeps topic creation quick on 2 cores. */
  readonly partitions?: number;
}

/** The platform's topic catalogue under a random prefix: a namespace no other test shares. */
export function testCatalogue(options: TestCatalogueOptions = {}): TopicCatalogue {
  return new TopicCatalogue({
    prefix: randomName(options.prefix ?? 'test'),
    partitions: options.partitions ?? 2,
  });
}

export interface ScratchTopics {
  /** A new topic with a random name under the prefix. */
  create(partitions: number): Promise<string>;
  /** Deletes every topic this made (call in afterAll). */
  deleteAll(): Promise<void>;
}

/** Random topics for one spec, created as its tests need them and deleted together afterwards. */
export function scratchTopics(admin: () => Admin, prefix: string): ScratchTopics {
  const made: string[] = [];
  return {
    async create(partitions) {
      const name = randomName(prefix);
      made.push(name);
      await createTestTopics(admin(), [{ name, partitions }]);
      return name;
    },
    deleteAll: () => deleteTestTopics(admin(), made),
  };
}
