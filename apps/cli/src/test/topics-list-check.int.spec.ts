import { TopicCatalogue } from '@streamscore/contracts';
import { createTestTopics, randomName, testKafka } from '@streamscore/testing';
import { runCli } from './run-cli';

describe('streamscore topics list / create / check / delete on the real Kafka', () => {
  it('should list, create, check and delete exactly the catalogue’s topics of a fresh prefix', async () => {
    const prefix = randomName('clitopics-check');
    const env = { TOPIC_PREFIX: prefix, TOPIC_PARTITIONS: '2' };
    const catalogue = new TopicCatalogue({ prefix, partitions: 2 });
    const names = catalogue.all().map((t) => t.name);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      // list prints the catalogue under the prefix: name, partitions, cleanup policy.
      const listed = (await runCli(['topics', 'list'], env))
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t').slice(0, 3).join(' '));
      expect(listed).toEqual(catalogue.all().map((t) => `${t.name} ${t.partitions} ${t.cleanupPolicy}`));
      // Written out too, so the test does not only compare the catalogue with itself.
      expect(listed).toEqual(
        expect.arrayContaining([`${prefix}.events 2 delete`, `${prefix}.model-deployments 1 compact`]),
      );

      // check names every missing topic before they exist.
      const missing = runCli(['topics', 'check'], env);
      await expect(missing).rejects.toThrow(
        `topic ${catalogue.name('driftReports')} does not exist (create it with: streamscore topics create)`,
      );

      expect(await runCli(['topics', 'create'], env)).toBe(
        `created ${names.length} topic(s): ${names.join(', ')}\n`,
      );
      expect(await runCli(['topics', 'create'], env)).toBe('created 0 topic(s)\n');
      expect(await runCli(['topics', 'check'], env)).toBe(`all ${names.length} topics match the catalogue\n`);

      // A topic recreated with the wrong cleanup policy is reported by name.
      const reports = catalogue.spec('driftReports');
      await admin.deleteTopics({ topics: [reports.name] });
      await createTestTopics(admin, [{ name: reports.name, partitions: 1, cleanupPolicy: 'compact' }]);
      await expect(runCli(['topics', 'check'], env)).rejects.toThrow(
        `topic ${reports.name} has cleanup.policy=compact, the catalogue wants delete`,
      );

      expect(await runCli(['topics', 'delete', '--prefix', prefix], env)).toBe(
        `deleted ${names.length} topic(s) with prefix ${prefix}: ${names.join(', ')}\n`,
      );
      const left = new Set(await admin.listTopics());
      expect(names.filter((name) => left.has(name))).toEqual([]);
    } finally {
      const left = new Set(await admin.listTopics());
      const stray = names.filter((name) => left.has(name));
      if (stray.length > 0) await admin.deleteTopics({ topics: stray });
      await admin.disconnect();
    }
  }, 120_000);
});
