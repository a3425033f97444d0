import { ConfigResourceTypes, type Admin } from 'kafkajs';
import type { TopicSpec } from '@streamscore/contracts';

function topicConfig(spec: TopicSpec): { name: string; value: string }[] {
  return [
    { name: 'cleanup.policy', value: spec.cleanupPolicy },
    { name: 'retention.ms', value: String(spec.retentionMs) },
  ];
}

/** Creates the missing topics of the catalogue; existing ones are left alone (verifyTopics reports drift). */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    // kafkajs' own leader wait gives up on UNKNOWN_TOPIC_OR_PARTITION under load; poll below instead.
    waitForLeaders: false,
    topics: missing.map((s) => ({
      topic: s.name,
      numPartitions: s.partitions,
      replicationFactor: -1,
      configEntries: topicConfig(s),
    })),
  });
  for (const spec of missing) await waitForLeaders(admin, spec.name);
  return missing.map((s) => s.name);
}

/** Until every partition's leader answers ListOffsets (CreateTopics returns before that). */
async function waitForLeaders(admin: Admin, topic: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin.fetchTopicOffsets(topic);
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`topic ${topic} has no leaders after ${timeoutMs} ms: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Checks that each topic a service uses exists with the catalogue's partitions and cleanup policy.
 * Returns one human-readable problem per mismatch; empty when all is well.
 */
export async function verifyTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const problems: string[] = [];
  const present = specs.filter((s) => {
    if (existing.has(s.name)) return true;
    problems.push(`topic ${s.name} does not exist (create it with: streamscore topics create)`);
    return false;
  });
  if (present.length === 0) return problems;
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((s) => s.name) });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((s) => ({
      type: ConfigResourceTypes.TOPIC,
      name: s.name,
      configNames: ['cleanup.policy'],
    })),
  });
  for (const spec of present) {
    const partitions = metadata.topics.find((t) => t.name === spec.name)?.partitions.length ?? 0;
    if (partitions < spec.partitions) {
      problems.push(
        `topic ${spec.name} has ${partitions} partitions, the catalogue wants ${spec.partitions}`,
      );
    }
    const policy = configs.resources
      .find((r) => r.resourceName === spec.name)
      ?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
    if (policy !== spec.cleanupPolicy) {
      problems.push(
        `topic ${spec.name} has cleanup.policy=${policy ?? '?'}, the catalogue wants ${spec.cleanupPolicy}`,
      );
    }
  }
  return problems;
}
