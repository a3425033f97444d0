/**
 * `npm run test:soak` (issue #18 item 4; not part of `npm test` or CI): the four services run for
 * a long time at a fixed rate of real flights departures with their outcomes, and must neither
 * grow in memory nor fall behind once warm.
 *   npm run test:soak -- [--minutes 30] [--warmup-minutes 10] [--rate 1000] [--partitions 6]
 *                        [--drain-timeout-s 600]
 * A private Kafka and redis-server (tests/chaos/support/chaos-stack.ts: free ports, own data dir,
 * removed at the end; the chaos scenarios' turn lock, so neither disturbs the other's figures) and
 * the built services as processes, started as `npm run demo` starts them. Every minute: per service
 * its RSS and consumer lag, and the end-to-end latency of that minute's predictions (send →
 * read_committed receipt). At the end, after draining: the RSS slope, the lag and the exact
 * accounting (demo/runner/accounting.ts), one JSON line on stdout, exit 1 on a failed criterion.
 */
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { TopicCatalogue } from '@streamscore/contracts';
import { account, type Summary } from '@streamscore/demo-flights/testing';
import { createTestTopics, type ServiceName, type ServiceProcess } from '@streamscore/testing';
import { printAccounting } from '../chaos/support/accounting';
import { startChaosStack, type ChaosStack } from '../chaos/support/chaos-stack';
import { peakRssMiB } from '../chaos/support/process-memory';
import { FeedReader } from './support/feed-reader';
import { PacedProducer } from './support/paced-producer';
import { PredictionTail } from './support/prediction-tail';
import { line, MinuteBook, n, round1 } from './support/minute-book';
import { MICRO_BATCH_ROWS, SOAK_SERVICES } from './support/service-samples';
import { judgeService, MAX_RSS_SLOPE_MIB_PER_10_MIN, type ServiceVerdict } from './support/soak-criteria';

const ROOT = resolve(__dirname, '..', '..');
const PIPELINE = join(ROOT, 'demo', 'flights', 'pipeline.json');
const SCHEMAS = join(ROOT, 'schemas');
const DEPARTURE_SCHEMA = join(ROOT, 'demo', 'flights', 'schemas', 'flight-departure');
const SAMPLE_MS = 5_000;
const MINUTE_MS = 60_000;

interface Options {
  minutes: number;
  warmupMinutes: number;
  rate: number;
  partitions: number;
  drainTimeoutS: number;
}

const failure = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** As `npm run demo` starts them (demo/run-demo.ts), with each micro-batch size stated. */
function serviceEnv(
  runId: string,
  chaos: ChaosStack,
  partitions: number,
): Record<ServiceName, Record<string, string>> {
  const common = {
    REDIS_URL: chaos.stack.redisUrl,
    REDIS_KEY_PREFIX: `ss:${runId}:`,
    TOPIC_PREFIX: runId,
    TOPIC_PARTITIONS: String(partitions),
    STREAMSCORE_PIPELINE: PIPELINE,
    LOG_LEVEL: 'warn',
  };
  const group = (role: string): string => `${runId}-${role}`;
  return {
    ingestion: {
      ...common,
      STREAMSCORE_GROUP_ID: group('ingestion'),
      STREAMSCORE_MAX_BATCH_ROWS: String(MICRO_BATCH_ROWS.ingestion),
    },
    features: {
      ...common,
      STREAMSCORE_GROUP_ID: group('features'),
      STREAMSCORE_INGESTION_GROUP_ID: group('ingestion'),
      STREAMSCORE_MAX_BATCH_ROWS: String(MICRO_BATCH_ROWS.features),
    },
    inference: {
      ...common,
      STREAMSCORE_SCHEMAS_DIR: SCHEMAS,
      STREAMSCORE_GROUP_ID: group('inference'),
      STREAMSCORE_MAX_BATCH_ROWS: String(MICRO_BATCH_ROWS.inference),
    },
    'drift-monitor': {
      ...common,
      STREAMSCORE_SCHEMAS_DIR: SCHEMAS,
      STREAMSCORE_GROUP_ID: group('drift'),
      STREAMSCORE_INGESTION_GROUP_ID: group('ingestion'),
      STREAMSCORE_INFERENCE_GROUP_ID: group('inference'),
    },
  };
}

async function drain(tail: PredictionTail, timeoutS: number): Promise<number> {
  const started = Date.now();
  let reported = 0;
  while (tail.inFlight > 0) {
    if (tail.error) throw tail.error;
    if (Date.now() - started > timeoutS * 1000) {
      line(`  drain: ${n(tail.inFlight)} departures still without an output after ${timeoutS} s`);
      break;
    }
    if (Date.now() - reported > 5_000) {
      reported = Date.now();
      line(`  draining: ${n(tail.inFlight)} departures in flight`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return (Date.now() - started) / 1000;
}

async function run(options: Options, chaos: ChaosStack, stopping: () => boolean): Promise<boolean> {
  const runId = `soak-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
  const topics = new TopicCatalogue({ prefix: runId, partitions: options.partitions });
  await createTestTopics(chaos.admin, topics.all());
  const env = serviceEnv(runId, chaos, options.partitions);
  const services = new Map<ServiceName, ServiceProcess>();
  for (const name of SOAK_SERVICES) {
    const service = await chaos.start(name, env[name]);
    services.set(name, service);
    line(`  ${name} up at ${service.url} (pid ${service.child.pid ?? '?'})`);
  }
  const tail = await PredictionTail.start(chaos.kafka, topics, {
    schemasDir: SCHEMAS,
    eventSchemaDir: DEPARTURE_SCHEMA,
  });
  const feed = new FeedReader();
  const durationMs = options.minutes * MINUTE_MS;
  const producer = new PacedProducer(feed, {
    kafka: chaos.kafka,
    rate: options.rate,
    durationMs,
    topics: { events: topics.name('events'), outcomes: topics.name('outcomes') },
    onDeparture: tail.sent,
  });
  const book = new MinuteBook(services, producer, tail, options.minutes);
  line(`  sending ${n(options.rate)} departures/s with their outcomes for ${options.minutes} minutes`);
  const started = Date.now();
  const sending = producer.run();
  let sendFailure: Error | undefined;
  sending.catch(
    (error: unknown) => (sendFailure = error instanceof Error ? error : new Error(String(error))),
  );
  for (let minute = 1; minute <= options.minutes; minute++) {
    const end = started + minute * MINUTE_MS;
    while (Date.now() < end) {
      if (stopping()) return false;
      if (sendFailure !== undefined) throw sendFailure;
      await book.sample();
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(SAMPLE_MS, end - Date.now()))));
    }
    book.close(minute);
  }
  await sending;
  await feed.close();
  const sendSeconds = (Date.now() - started) / 1000;
  line(
    `  sent ${n(producer.departures)} departures (+${n(producer.outcomes)} outcomes) in ${sendSeconds.toFixed(1)} s: ` +
      `${producer.achievedRate.toFixed(1)}/s achieved (asked ${options.rate}), longest pause between sends ${n(producer.maxGapMs)} ms, data pass ${feed.pass}`,
  );
  const drainSeconds = await drain(tail, options.drainTimeoutS);
  line(
    `  drained in ${drainSeconds.toFixed(1)} s; reading the topics back for the accounting (read_committed)…`,
  );
  const peaks = Object.fromEntries(
    SOAK_SERVICES.map((name) => [name, round1(peakRssMiB(services.get(name)?.child.pid ?? 0) ?? 0)]),
  );
  const tailCounts = tail.counts;
  await tail.stop();
  const accountingStarted = Date.now();
  const summary: Summary = await account({
    kafka: chaos.kafka,
    topics,
    schemasDir: SCHEMAS,
    eventSchemaDir: DEPARTURE_SCHEMA,
    produced: producer.departures,
    outcomesProduced: producer.outcomes,
    elapsedMs: sendSeconds * 1000,
    committedBy: [
      { groupId: `${runId}-ingestion`, topic: topics.name('events') },
      { groupId: `${runId}-ingestion`, topic: topics.name('outcomes') },
      { groupId: `${runId}-inference`, topic: topics.name('eventsValidated') },
    ],
    // 240,000 departures read back in about 11 s; 30 minutes at 1,000/s is 7.5 times that.
    readTimeoutMs: 900_000,
  });
  const accountingSeconds = (Date.now() - accountingStarted) / 1000;
  printAccounting({
    scenario: 'soak',
    sent: summary.produced,
    validated: summary.validated,
    deadLettered: summary.deadLettered,
    predicted: summary.predicted,
    duplicates: summary.duplicatePredictions,
    missing: summary.missingPredictions,
    seconds: sendSeconds + drainSeconds,
    extra: {
      predictionDeadLettered: summary.predictionDeadLettered,
      accountingSeconds: accountingSeconds.toFixed(1),
    },
  });

  const verdicts: ServiceVerdict[] = SOAK_SERVICES.map((name) =>
    judgeService(name, book.serviceMinutes(name), options.warmupMinutes, MICRO_BATCH_ROWS[name]),
  );
  line('');
  line(`criteria (after minute ${options.warmupMinutes} of ${options.minutes}):`);
  for (const v of verdicts) {
    line(
      `  ${v.service.padEnd(14)} RSS slope ${v.rssSlopeMiBPer10Min.toFixed(1)} MiB/10 min (≤ ${MAX_RSS_SLOPE_MIB_PER_10_MIN}) ${v.rssPass ? 'pass' : 'FAIL'} · ` +
        `lag ${n(v.lagAtEnd)} at minute ${options.minutes} vs ${n(v.lagAtWarmup)} at minute ${options.warmupMinutes} + ${n(v.microBatchRows)} ${v.lagPass ? 'pass' : 'FAIL'} · peak RSS ${peaks[v.service] ?? 0} MiB`,
    );
  }
  line(
    `  accounting: sent ${n(summary.produced)}, validated ${n(summary.validated)}, dead-lettered ${n(summary.deadLettered)}, ` +
      `predicted ${n(summary.predicted)}, prediction dead letters ${n(summary.predictionDeadLettered)}, duplicates ${summary.duplicatePredictions}, missing ${summary.missingPredictions} ${summary.accountedFor ? 'pass' : 'FAIL'}`,
  );
  const pass = summary.accountedFor && verdicts.every((v) => v.rssPass && v.lagPass);
  line(`soak ${pass ? 'PASSED' : 'FAILED'}`);
  process.stdout.write(
    `${JSON.stringify({
      soak: pass ? 'pass' : 'fail',
      options,
      stack: 'private',
      achievedRate: Math.round(producer.achievedRate * 10) / 10,
      maxSendGapMs: Math.round(producer.maxGapMs),
      drainSeconds: round1(drainSeconds),
      e2eP99MsWorstMinute: Math.max(0, ...book.minutes.map((m) => m.e2e.p99)),
      verdicts,
      peakRssMiB: peaks,
      accounting: summary,
      tail: tailCounts,
      // The soak's own memory after the accounting read every departure, validated record and
      // prediction back: it grows with the run's size (node --max-old-space-size in package.json).
      harnessRssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
      harnessHeapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      minutes: book.minutes,
    })}\n`,
  );
  return pass;
}

async function main(options: Options): Promise<number> {
  if (!(options.warmupMinutes >= 1 && options.minutes >= options.warmupMinutes + 2))
    throw new RangeError('--minutes must be at least --warmup-minutes + 2, and --warmup-minutes at least 1');
  if (!(options.rate > 0)) throw new RangeError('--rate must be positive');
  line(
    `streamscore soak: ${options.minutes} minutes at ${options.rate} departures/s, criteria after minute ${options.warmupMinutes}`,
  );
  line('  starting a private Kafka and Redis (waits for any running chaos scenario: one at a time)…');
  const chaos = await startChaosStack();
  let stopped = false;
  let tearingDown: Promise<void> | undefined;
  const teardown = (): Promise<void> => (tearingDown ??= chaos.teardown());
  process.once('SIGINT', () => {
    stopped = true;
    line('  interrupted: stopping the services and the private stack');
    void teardown().then(() => process.exit(130));
  });
  line(`  Kafka ${chaos.stack.kafkaBrokers}  Redis ${chaos.stack.redisUrl}`);
  try {
    return (await run(options, chaos, () => stopped)) ? 0 : 1;
  } finally {
    await teardown();
  }
}

const positive = (v: string): number => Number(v);

const program = new Command('soak')
  .description('run every service at a fixed rate for a long time; check memory, lag and accounting')
  .option('--minutes <n>', 'minutes of sending', positive, 30)
  .option('--warmup-minutes <n>', 'minutes before the criteria apply (caches filling)', positive, 10)
  .option('--rate <n>', 'departures per second (each with its outcome)', positive, 1_000)
  .option('--partitions <n>', 'partitions of the data topics', positive, 6)
  .option('--drain-timeout-s <n>', 'longest wait for the last predictions after sending', positive, 600)
  .action(async (opts: Options) => {
    process.exitCode = await main(opts);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`soak: ${failure(error)}\n`);
  process.exit(1);
});
