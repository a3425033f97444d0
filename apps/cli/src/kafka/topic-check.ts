import type { Kafka } from 'kafkajs';

/**
 * Fails at once, naming the topics, when any of them is not on the brokers. Without it a read or a
 * send to a missing topic retries for about 40 s and ends in kafkajs' "This server does not host
 * this topic-partition", which names neither the topic nor the prefix that produced its name.
 */
export async function requireTopics(
  kafka: Kafka,
  topics: readonly string[],
  topicPrefix: string | undefined,
): Promise<void> {
  const missing = await missingTopics(kafka, topics);
  if (missing.length > 0)
    throw new Error(
      `no topic ${missing.join(', ')} on the brokers: check TOPIC_PREFIX (${topicPrefix === undefined ? 'not set' : `now ${topicPrefix}`}; a demo run prints its own) and that the topics exist (streamscore topics create)`,
    );
}

/** Those of `topics` the brokers do not have. */
export async function missingTopics(kafka: Kafka, topics: readonly string[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    return topics.filter((topic) => !existing.has(topic));
  } finally {
    await admin.disconnect();
  }
}
