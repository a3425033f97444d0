import { TopicCatalogue } from '@streamscore/contracts';
import { randomName, testKafka } from '@streamscore/testing';
import { runCli } from './run-cli';

describe('streamscore topics create / delete on the real Kafka', () => {
  it('should delete exactly the catalogue’s topics of the given prefix', async () => {
    const prefix = randomName('clitopics');
    const other = randomName('clitopics-kept');
    const env = (p: string) => ({ TOPIC_PREFIX: p, TOPIC_PARTITIONS: '1' });
    const names = (p: string) => new TopicCatalogue({ prefix: p, partitions: 1 }).all().map((t) => t.name);
    await runCli(['topics', 'create'], env(prefix));
    await runCli(['topics', 'create'], env(other));
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const deleted = await runCli(['topics', 'delete', '--prefix', prefix], env(other));
      expect(deleted).toBe(
        `deleted ${names(prefix).length} topic(s) with prefix ${prefix}: ${names(prefix).join(', ')}\n`,
      );
      const left = new Set(await admin.listTopics());
      expect(names(prefix).filter((n) => left.has(n))).toEqual([]);
      // Another run's topics, and the CLI's own TOPIC_PREFIX, are not touched.
      expect(names(other).every((n) => left.has(n))).toBe(true);
      expect(await runCli(['topics', 'delete', '--prefix', prefix], env(other))).toBe(
        `deleted 0 topic(s) with prefix ${prefix}\n`,
      );
    } finally {
      await admin.deleteTopics({ topics: names(other) }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 120_000);
});
