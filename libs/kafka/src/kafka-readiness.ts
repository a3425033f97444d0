import type { Admin } from 'kafkajs';

/** Readiness of Kafka: the cluster answers metadata within the health check's deadline. */
export function kafkaReadinessCheck(admin: Admin): { name: string; check(): Promise<void> } {
  return {
    name: 'kafka',
    async check() {
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('no brokers in cluster metadata');
    },
  };
}

/** Sum over partitions of (high watermark − committed offset) for one group. */
export async function consumerGroupLag(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Map<string, number>> {
  const lag = new Map<string, number>();
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const t of committed) {
    const high = await admin.fetchTopicOffsets(t.topic);
    let total = 0;
    for (const p of t.partitions) {
      const hw = Number(high.find((h) => h.partition === p.partition)?.high ?? '0');
      const c = Number(p.offset);
      total += c < 0 ? hw - Number(high.find((h) => h.partition === p.partition)?.low ?? '0') : hw - c;
    }
    lag.set(t.topic, total);
  }
  return lag;
}
