import type { Admin, Kafka } from 'kafkajs';
import {
  buildCorpus,
  DEDUPLICATING_FIXTURE_PIPELINE,
  FIXTURE_PIPELINE,
  startServiceProcess,
} from '@streamscore/testing';
import { cpuSecondsOf } from '../common/cpu-clock';
import {
  benchCatalogue,
  benchStack,
  commitMeasure,
  expectCount,
  passThrough,
  printMeasures,
  produceAll,
  progress,
  readOutputs,
  round,
  serviceSettingsFromEnv,
} from '../common/bench-kit';

/**
 * Ingestion throughput (exactly-once, validate + re-key + dead-letter) against a plain kafkajs
 * pass-through of the same messages on the same partitions; then the same with the events
 * deduplicated by id (one Redis script per micro-batch claims its ids), against the same baseline.
 */
const EVENTS = Number(process.env['BENCH_INGESTION_EVENTS'] ?? 200_000);
const PARTITIONS = 6;

async function main(): Promise<void> {
  const { kafka, admin, brokers } = await benchStack();
  const built = buildCorpus(EVENTS, 0, 3);
  const corpus = built.map((m) => ({ key: m.key, value: m.value }));
  // Sent without headers: a valid reading written as JSON loses its content type, so it is
  // dead-lettered (UNSUPPORTED_FORMAT) like the invalid ones; the Avro ones are validated.
  const sent: Sent = {
    valid: built.filter((m) => m.expect.valid && m.headers === undefined).length,
    total: corpus.length,
  };
  const bytes = corpus.reduce((s, m) => s + m.value.length, 0) / corpus.length;
  progress(`${EVENTS} events of ${bytes.toFixed(0)} bytes on ${PARTITIONS} partitions`);

  const base = await benchCatalogue(admin, 'ingestion-base', PARTITIONS);
  await produceAll(kafka, base.name('events'), corpus);
  progress('baseline: kafkajs pass-through');
  const baseline = await passThrough(kafka, admin, base.name('events'), base.name('eventsValidated'), EVENTS);
  progress(
    `baseline ${baseline.rate.toFixed(0)} events/s, ${baseline.cpuUsPerRecord.toFixed(1)} µs CPU/event`,
  );

  const plain = await measureService(kafka, admin, brokers, corpus, sent, 'ingestion', FIXTURE_PIPELINE);
  const deduplicated = await measureService(
    kafka,
    admin,
    brokers,
    corpus,
    sent,
    'ingestion-dedup',
    DEDUPLICATING_FIXTURE_PIPELINE,
  );
  await admin.deleteTopics({ topics: base.all().map((t) => t.name) }).catch(() => undefined);
  await admin.disconnect();
  const measures = (suffix: string, m: { rate: number; cpuUsPerRecord: number }) => [
    {
      case: 'ingestion',
      measure: `throughput${suffix}`,
      value: round(m.rate, 0),
      unit: 'events/s',
      baseline: round(baseline.rate, 0),
      ratio: round(m.rate / baseline.rate),
    },
    {
      // The service process' CPU against the pass-through's (the bench process) per event.
      case: 'ingestion',
      measure: `cpu_per_event${suffix}`,
      value: round(m.cpuUsPerRecord, 1),
      unit: 'µs/event',
      baseline: round(baseline.cpuUsPerRecord, 1),
      ratio: round(m.cpuUsPerRecord / baseline.cpuUsPerRecord),
    },
  ];
  printMeasures([...measures('', plain), ...measures('_deduplicated', deduplicated)]);
}

/** Of the events the bench sends, how many the service must validate (the rest are dead letters). */
interface Sent {
  readonly valid: number;
  readonly total: number;
}

/**
 * The ingestion service over the corpus with one pipeline file: its commit rate and CPU per event;
 * fails unless its outputs, read back read_committed, are one validated record per valid event sent
 * and one dead letter per other one.
 */
async function measureService(
  kafka: Kafka,
  admin: Admin,
  brokers: string,
  corpus: readonly { key: string; value: Buffer }[],
  sent: Sent,
  name: string,
  pipeline: string,
): Promise<{ rate: number; cpuUsPerRecord: number }> {
  const catalogue = await benchCatalogue(admin, name, PARTITIONS);
  await produceAll(kafka, catalogue.name('events'), corpus);
  const groupId = `${catalogue.name('events')}-ingestion`;
  progress(`${name} service (exactly-once, ${pipeline === FIXTURE_PIPELINE ? 'no' : 'with'} deduplication)`);
  const service = await startServiceProcess('ingestion', {
    KAFKA_BROKERS: brokers,
    TOPIC_PREFIX: catalogue.name('events').replace(/\.events$/, ''),
    TOPIC_PARTITIONS: String(PARTITIONS),
    STREAMSCORE_PIPELINE: pipeline,
    STREAMSCORE_GROUP_ID: groupId,
    ...(process.env['BENCH_DELIVERY'] ? { STREAMSCORE_DELIVERY: process.env['BENCH_DELIVERY'] } : {}),
    ...(process.env['BENCH_MAX_BATCH_ROWS']
      ? { STREAMSCORE_MAX_BATCH_ROWS: process.env['BENCH_MAX_BATCH_ROWS'] }
      : {}),
    ...(process.env['BENCH_CONCURRENCY']
      ? { STREAMSCORE_PARTITIONS_CONCURRENTLY: process.env['BENCH_CONCURRENCY'] }
      : {}),
    ...serviceSettingsFromEnv(),
  });
  try {
    const pid = service.child.pid;
    if (pid === undefined) throw new Error('the ingestion process has no pid');
    const measured = await commitMeasure(admin, groupId, catalogue.name('events'), EVENTS, () =>
      cpuSecondsOf(pid),
    );
    progress(
      `${name} ${measured.rate.toFixed(0)} events/s, ${measured.cpuUsPerRecord.toFixed(1)} µs CPU/event`,
    );
    // Outputs and offsets commit in one transaction: once every offset is committed, so are they.
    const validated = await readOutputs(kafka, catalogue.name('eventsValidated'), sent.valid);
    const deadLetters = await readOutputs(kafka, catalogue.name('eventsDeadLetter'), sent.total - sent.valid);
    expectCount(`${name} validated records`, validated.length, sent.valid);
    expectCount(`${name} dead letters`, deadLetters.length, sent.total - sent.valid);
    expectCount(
      `${name} outputs (validated + dead letters)`,
      validated.length + deadLetters.length,
      sent.total,
    );
    return measured;
  } finally {
    await service.stop('SIGTERM');
    await admin.deleteTopics({ topics: catalogue.all().map((t) => t.name) }).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench ingestion: ${String(error)}\n`);
  process.exit(1);
});
