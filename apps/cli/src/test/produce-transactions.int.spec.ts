import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { createDecoder, loadSchemaHistory, TopicCatalogue } from '@streamscore/contracts';
import { deleteTestTopics, randomName, readTopicToEnd, testKafka, waitFor } from '@streamscore/testing';
import { runCli } from './run-cli';

const FLIGHTS = join(__dirname, '..', '..', '..', '..', 'demo', 'flights');
const PIPELINE = join(FLIGHTS, 'pipeline.json');
const decoder = createDecoder<{ eventId: string }>(
  loadSchemaHistory(join(FLIGHTS, 'schemas', 'flight-departure')),
);
/** Topic limit of the failure test: every departure fits, a 1,500-byte one does not. */
const TOPIC_MAX_MESSAGE_BYTES = 1_024;

const departure = (n: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventId: `e${n}`,
  scheduledAt: 978_307_620_000 + n * 60_000,
  origin: ['JFK', 'SFO', 'ORD'][n % 3],
  destination: 'LAX',
  distance: 1_000 + n,
  carrier: null,
  ...extra,
});

const jsonLines = (records: readonly unknown[]): string =>
  records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** The event ids on the topic, as a consumer reading committed (or all) records sees them. */
async function eventIds(
  kafka: Kafka,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
): Promise<string[]> {
  const ids: string[] = [];
  for (const m of await readTopicToEnd(kafka, topic, { isolation, timeoutMs: 30_000 })) {
    const decoded = await decoder.decode(m.value, m.headers);
    ids.push(decoded.ok ? decoded.record.eventId : `${decoded.code}: ${decoded.reason}`);
  }
  return ids.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

describe('streamscore produce in transactions on the real Kafka', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamscore-produce-'));
  const made: string[] = [];
  let kafka: Kafka;
  let admin: Admin;

  /** A new events topic of 2 partitions (with extra topic settings) and the CLI's env for it. */
  async function eventsTopic(
    configEntries: { name: string; value: string }[] = [],
  ): Promise<{ topic: string; env: Record<string, string> }> {
    const prefix = randomName('cli-tx');
    const topic = new TopicCatalogue({ prefix, partitions: 2 }).name('events');
    made.push(topic);
    await admin.createTopics({
      waitForLeaders: false,
      topics: [{ topic, numPartitions: 2, replicationFactor: 1, configEntries }],
    });
    await waitFor(() => admin.fetchTopicOffsets(topic), { timeoutMs: 30_000, description: topic });
    return { topic, env: { TOPIC_PREFIX: prefix, TOPIC_PARTITIONS: '2', STREAMSCORE_PIPELINE: PIPELINE } };
  }

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await deleteTestTopics(admin, made);
    await admin.disconnect();
  });

  it('should write nothing from a file with bad lines, and report every one of them', async () => {
    const { topic, env } = await eventsTopic();
    const file = join(dir, 'bad.jsonl');
    const { scheduledAt: _dropped, ...noTime } = departure(3);
    writeFileSync(
      file,
      [
        JSON.stringify(departure(1)),
        JSON.stringify(departure(2, { distance: 'far' })),
        JSON.stringify(noTime),
        '{"eventId": "e4",',
        JSON.stringify(departure(5)),
      ].join('\n'),
    );

    const failure = runCli(
      ['produce', '--stream', 'events', '--file', file, '--transaction-lines', '1'],
      env,
    );

    await expect(failure).rejects.toThrow(
      new RegExp(
        '^3 of 5 line\\(s\\) cannot be sent; nothing was sent:\\n' +
          ' {2}line 2: INVALID_FIELD \\(distance\\): .*\\n' +
          ' {2}line 3: MISSING_FIELD \\(scheduledAt\\): .*\\n' +
          ' {2}line 4: MALFORMED: invalid JSON.*$',
      ),
    );
    expect(await eventIds(kafka, topic, 'read_uncommitted')).toEqual([]);
  }, 60_000);

  it('should write a good file exactly once, in transactions of --transaction-lines', async () => {
    const { topic, env } = await eventsTopic();
    const file = join(dir, 'good.jsonl');
    writeFileSync(file, jsonLines([1, 2, 3, 4, 5, 6, 7].map((n) => departure(n))));

    const printed = await runCli(
      ['produce', '--stream', 'events', '--file', file, '--transaction-lines', '3'],
      env,
    );

    expect(printed.split('\n')).toEqual([
      'committed lines 1-3 (3 record(s)), next: --from-line 4',
      'committed lines 4-6 (3 record(s)), next: --from-line 7',
      'committed lines 7-7 (1 record(s)), next: --from-line 8',
      `produced 7 record(s) to ${topic} in 3 transaction(s)`,
      '',
    ]);
    expect(await eventIds(kafka, topic)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
  }, 60_000);

  it('should leave only whole transactions when the broker refuses a record mid-way, and resume exactly', async () => {
    const { topic, env } = await eventsTopic([
      { name: 'max.message.bytes', value: String(TOPIC_MAX_MESSAGE_BYTES) },
    ]);
    const file = join(dir, 'oversized.jsonl');
    // JSON encoding: line 6 passes every local check (1 MiB limit) but not the topic's 1 KiB.
    const records = [1, 2, 3, 4, 5, 6, 7].map((n) =>
      departure(n, n === 6 ? { note: 'x'.repeat(1_500) } : {}),
    );
    writeFileSync(file, jsonLines(records));
    // --rate 10: one record per send, so line 5 is written inside the transaction that line 6 fails.
    const args = [
      'produce',
      '--stream',
      'events',
      '--encoding',
      'json',
      '--rate',
      '10',
      '--transaction-lines',
      '2',
    ];

    const failure = (await runCli([...args, '--file', file], env).catch(
      (error: unknown) => error,
    )) as Error & {
      stdout: string;
    };

    expect(failure.message).toMatch(
      /^the transaction of lines 5-6 failed and was aborted: .*larger than the max message size.*\. Lines before 5 are committed \(4 record\(s\) in 2 transaction\(s\)\); resume with --from-line 5$/,
    );
    expect(failure.stdout.split('\n')).toEqual([
      'committed lines 1-2 (2 record(s)), next: --from-line 3',
      'committed lines 3-4 (2 record(s)), next: --from-line 5',
      '',
    ]);
    expect(await eventIds(kafka, topic)).toEqual(['e1', 'e2', 'e3', 'e4']);
    // Line 5 did reach the log, in the aborted transaction: invisible to read_committed.
    expect(await eventIds(kafka, topic, 'read_uncommitted')).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);

    // The fixed file, from the printed resume point.
    writeFileSync(file, jsonLines([1, 2, 3, 4, 5, 6, 7].map((n) => departure(n))));
    const resumeAt = /--from-line (\d+)$/.exec(failure.message)?.[1] ?? '';
    const resumed = await runCli([...args, '--file', file, '--from-line', resumeAt], env);

    expect(resumed.split('\n')).toEqual([
      'committed lines 5-6 (2 record(s)), next: --from-line 7',
      'committed lines 7-7 (1 record(s)), next: --from-line 8',
      `produced 3 record(s) to ${topic} in 2 transaction(s)`,
      '',
    ]);
    expect(await eventIds(kafka, topic)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
  }, 90_000);
});
