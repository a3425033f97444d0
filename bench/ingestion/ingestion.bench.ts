import { buildCorpus, FIXTURE_PIPELINE, startServiceProcess } from '@streamscore/testing';
import { cpuSecondsOf } from '../common/cpu-clock';
import {
  benchCatalogue,
  benchStack,
  commitMeasure,
  passThrough,
  printMeasures,
  produceAll,
  progress,
  round,
  serviceSettingsFromEnv,
} from '../common/bench-kit';

/**
 * Ingestion throughput (exactly-once, validate + re-key + dead-letter) against a plain kafkajs
 * pass-through of the same messages on the same partitions.
 */
const EVENTS = Number(process.env['BENCH_INGESTION_EVENTS'] ?? 200_000);
const PARTITIONS = 6;

async function main(): Promise<void> {
  const { kafka, admin, brokers } = await benchStack();
  const corpus = buildCorpus(EVENTS, 0, 3).map((m) => ({ key: m.key, value: m.value }));
  const bytes = corpus.reduce((s, m) => s + m.value.length, 0) / corpus.length;
  progress(`${EVENTS} events of ${bytes.toFixed(0)} bytes on ${PARTITIONS} partitions`);

  const base = await benchCatalogue(admin, 'ingestion-base', PARTITIONS);
  await produceAll(kafka, base.name('events'), corpus);
  progress('baseline: kafkajs pass-through');
  const baseline = await passThrough(kafka, admin, base.name('events'), base.name('eventsValidated'), EVENTS);
  progress(
    `baseline ${baseline.rate.toFixed(0)} events/s, ${baseline.cpuUsPerRecord.toFixed(1)} µs CPU/event`,
  );

  const catalogue = await benchCatalogue(admin, 'ingestion', PARTITIONS);
  await produceAll(kafka, catalogue.name('events'), corpus);
  const groupId = `${catalogue.name('events')}-ingestion`;
  progress('ingestion service (exactly-once)');
  const service = await startServiceProcess('ingestion', {
    KAFKA_BROKERS: brokers,
    TOPIC_PREFIX: catalogue.name('events').replace(/\.events$/, ''),
    TOPIC_PARTITIONS: String(PARTITIONS),
    STREAMSCORE_PIPELINE: FIXTURE_PIPELINE,
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
    const { rate, cpuUsPerRecord } = await commitMeasure(
      admin,
      groupId,
      catalogue.name('events'),
      EVENTS,
      () => cpuSecondsOf(pid),
    );
    progress(`ingestion ${rate.toFixed(0)} events/s, ${cpuUsPerRecord.toFixed(1)} µs CPU/event`);
    printMeasures([
      {
        case: 'ingestion',
        measure: 'throughput',
        value: round(rate, 0),
        unit: 'events/s',
        baseline: round(baseline.rate, 0),
        ratio: round(rate / baseline.rate),
      },
      {
        // The service process' CPU against the pass-through's (the bench process) per event.
        case: 'ingestion',
        measure: 'cpu_per_event',
        value: round(cpuUsPerRecord, 1),
        unit: 'µs/event',
        baseline: round(baseline.cpuUsPerRecord, 1),
        ratio: round(cpuUsPerRecord / baseline.cpuUsPerRecord),
      },
    ]);
  } finally {
    await service.stop('SIGTERM');
    await admin
      .deleteTopics({ topics: [...base.all(), ...catalogue.all()].map((t) => t.name) })
      .catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench ingestion: ${String(error)}\n`);
  process.exit(1);
});
