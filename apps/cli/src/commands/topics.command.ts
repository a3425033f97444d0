import { Command } from 'commander';
import { TopicCatalogue } from '@streamscore/contracts';
import { ensureTopics, verifyTopics } from '@streamscore/kafka';
import { cliContext } from '../cli-env';

/** `streamscore topics create|check|list|delete`: the catalogue made real on the cluster. */
export function topicsCommand(): Command {
  const topics = new Command('topics').description('create or check the topics of the catalogue');

  topics
    .command('create')
    .description('create every missing topic of the catalogue (existing ones are left alone)')
    .action(async () => {
      const { kafka, topics: catalogue } = cliContext();
      const admin = kafka.admin();
      await admin.connect();
      try {
        const created = await ensureTopics(admin, catalogue.all());
        process.stdout.write(
          `created ${created.length} topic(s)${created.length ? `: ${created.join(', ')}` : ''}\n`,
        );
        const problems = await verifyTopics(admin, catalogue.all());
        if (problems.length > 0) throw new Error(problems.join('; '));
      } finally {
        await admin.disconnect();
      }
    });

  topics
    .command('check')
    .description('check that every topic exists with the catalogue’s partitions and cleanup policy')
    .action(async () => {
      const { kafka, topics: catalogue } = cliContext();
      const admin = kafka.admin();
      await admin.connect();
      try {
        const problems = await verifyTopics(admin, catalogue.all());
        if (problems.length > 0) throw new Error(problems.join('; '));
        process.stdout.write(`all ${catalogue.all().length} topics match the catalogue\n`);
      } finally {
        await admin.disconnect();
      }
    });

  topics
    .command('list')
    .description('print the catalogue: name, partitions, cleanup policy, retention')
    .action(() => {
      const { topics: catalogue } = cliContext();
      for (const t of catalogue.all()) {
        const retention = t.retentionMs < 0 ? 'forever' : `${t.retentionMs / 86_400_000}d`;
        process.stdout.write(
          `${t.name}\t${t.partitions}\t${t.cleanupPolicy}\t${retention}\t${t.description}\n`,
        );
      }
    });

  topics
    .command('delete')
    .description(
      'delete the catalogue’s topics named with a prefix (e.g. a finished demo or test run’s), and only those',
    )
    .requiredOption(
      '--prefix <prefix>',
      'the run’s TOPIC_PREFIX; required, so the unprefixed catalogue is never deleted by mistake',
    )
    .action(async (options: { prefix: string }) => {
      const { kafka, topics: current } = cliContext();
      const catalogue = new TopicCatalogue({
        prefix: options.prefix,
        partitions: current.all()[0]?.partitions ?? 1,
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const doomed = catalogue
          .all()
          .map((t) => t.name)
          .filter((name) => existing.has(name));
        if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
        process.stdout.write(
          `deleted ${doomed.length} topic(s) with prefix ${options.prefix}${doomed.length ? `: ${doomed.join(', ')}` : ''}\n`,
        );
      } finally {
        await admin.disconnect();
      }
    });

  return topics;
}
