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

/**
 * Sum over partitions of (high watermark − where the group has read up to) for one group: the
 * committed offset, or a later `position` (key `topic:partition`) the member reached with nothing
 * to commit, e.g. past a transaction's commit marker, which no batch delivers.
 */
export async function consumerGroupLag(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  positions: ReadonlyMap<string, number> = new Map(),
): Promise<Map<string, number>> {
  const lag = new Map<string, number>();
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const t of committed) {
    const ends = await admin.fetchTopicOffsets(t.topic);
    let total = 0;
    for (const p of t.partitions) {
      const end = ends.find((h) => h.partition === p.partition);
      const high = Number(end?.high ?? '0');
      const start = Number(p.offset) < 0 ? Number(end?.low ?? '0') : Number(p.offset);
      const readUpTo = Math.max(start, positions.get(`${t.topic}:${p.partition}`) ?? 0);
      total += Math.max(0, high - readUpTo);
    }
    lag.set(t.topic, total);
  }
  return lag;
}
