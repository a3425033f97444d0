/**
 * `npm run demo`: the whole system on one machine. Brings up the stack (or uses KAFKA_BROKERS /
 * REDIS_URL), creates a fresh namespace of topics, starts the four services as separate processes,
 * replays real flights (the held-out end of January, then June) and prints live progress and a
 * final accounting read back from the topics.
 *   npm run demo -- --events 50000 [--rate 5000] [--summary summary.json] [--keep-running]
 *                   [--keep-data] [--clean-old] [--warmup-s 10] [--measure-s 60]
 * With --rate, a send every 10 ms carries what is due; a read_committed tail of `predictions` stamps
 * each prediction's receipt, and the summary's receipt latency covers the departures appended in the
 * --measure-s after a --warmup-s warm-up (runner/latency-window.ts).
 * With --keep-running the services stay up after the summary; Ctrl-C (SIGINT) stops them and exits
 * with the run's result (0 when every event is accounted for).
 * At the end (with --keep-running: after Ctrl-C) the run deletes its topics, consumer groups and
 * Redis keys (`ss:<runId>:*`); --keep-data keeps them. --clean-old first removes what earlier runs
 * left (runs none of whose groups has a member, started over 10 minutes ago; runner/cleanup.ts).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { Kafka } from 'kafkajs';
import { encodeSingleObject, loadSchemaHistory, TopicCatalogue } from '@streamscore/contracts';
import { ensureTopics } from '@streamscore/kafka';
import { loadPipelineConfig } from '@streamscore/platform';
import {
  measureWindow,
  scrape,
  type ServiceName,
  type ServiceProcess,
  startServiceProcess,
  startStack,
  sumMetric,
  testKafka,
  testRedis,
  TopicTail,
} from '@streamscore/testing';
import { account, type Summary } from './runner/accounting';
import {
  describeRemoved,
  removeIdleRuns,
  removeRun,
  withCleanupClients,
  type CleanupClients,
} from './runner/cleanup';
import { replayPaced } from './runner/paced-replay';
import { defaultSlices, planReplay } from './runner/replay-plan';
import { newRunId, redisKeyPrefix, serviceGroupId } from './runner/run-namespace';

const ROOT = resolve(__dirname, '..');
const PIPELINE = join(ROOT, 'demo', 'flights', 'pipeline.json');

interface Options {
  events: number;
  rate: number;
  summary?: string;
  keepRunning: boolean;
  keepData: boolean;
  cleanOld: boolean;
  partitions: number;
  timeoutS: number;
  restartServices: boolean;
  warmupS: number;
  measureS: number;
}

interface Restart {
  service: ServiceName;
  exitCode: number | null;
  stopMs: number;
}

function line(text: string): void {
  process.stderr.write(`${text}\n`);
}

const failure = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Admin + Redis for a clean-up (the run's own admin may be disconnected by then). */
function cleanUpWith<T>(kafka: Kafka, work: (clients: CleanupClients) => Promise<T>): Promise<T> {
  return withCleanupClients(kafka, testRedis, work);
}

async function cleanOldRuns(kafka: Kafka): Promise<void> {
  const { removed, kept } = await cleanUpWith(kafka, (clients) => removeIdleRuns(clients, Date.now()));
  for (const run of removed) line(`  ${describeRemoved(run)}`);
  for (const { runId, reason } of kept) line(`  kept ${runId} (${reason})`);
  if (removed.length === 0) line('  no idle demo runs to remove');
}

/** Never fails the run: what is left, a later --clean-old removes. */
async function cleanUpRun(kafka: Kafka, runId: string, keepData: boolean): Promise<void> {
  if (keepData) {
    line(`  --keep-data: the topics, groups and Redis keys of ${runId} stay`);
    return;
  }
  try {
    line(`  ${describeRemoved(await cleanUpWith(kafka, (clients) => removeRun(clients, runId)))}`);
  } catch (error) {
    line(`  clean-up of ${runId} failed (${failure(error)}); \`npm run demo -- --clean-old\` retries`);
  }
}

async function main(options: Options): Promise<number> {
  const started = Date.now();
  line('streamscore demo');
  const stack = await startStack();
  line(`  Kafka ${stack.kafkaBrokers}  Redis ${stack.redisUrl}`);
  process.env['KAFKA_BROKERS'] = stack.kafkaBrokers;
  process.env['REDIS_URL'] = stack.redisUrl;
  const kafka = testKafka({ clientId: 'streamscore-demo' });
  if (options.cleanOld) await cleanOldRuns(kafka);
  const runId = newRunId(new Date());
  const topics = new TopicCatalogue({ prefix: runId, partitions: options.partitions });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topics.all());
  line(`  topics created under the prefix ${runId}`);

  const pipeline = loadPipelineConfig(PIPELINE);
  line('  planning the replay (real flights from vega-datasets)…');
  const plan = await planReplay({ events: options.events, slices: defaultSlices(), warmUpMs: 86_400_000 });
  for (const s of plan.slices) line(`    ${s.label}: ${s.departures} departures`);

  const env: Record<string, string> = {
    KAFKA_BROKERS: stack.kafkaBrokers,
    REDIS_URL: stack.redisUrl,
    REDIS_KEY_PREFIX: redisKeyPrefix(runId),
    TOPIC_PREFIX: runId,
    TOPIC_PARTITIONS: String(options.partitions),
    STREAMSCORE_PIPELINE: PIPELINE,
    LOG_LEVEL: 'warn',
  };
  // Daily drift windows: a 50,000-event budget holds two June days, so the demo confirms drift
  // after 2 consecutive drifting windows (the service default is 3).
  const serviceEnv: Record<ServiceName, Record<string, string>> = {
    ingestion: { STREAMSCORE_GROUP_ID: serviceGroupId(runId, 'ingestion') },
    features: {
      STREAMSCORE_GROUP_ID: serviceGroupId(runId, 'features'),
      STREAMSCORE_INGESTION_GROUP_ID: serviceGroupId(runId, 'ingestion'),
    },
    inference: { STREAMSCORE_GROUP_ID: serviceGroupId(runId, 'inference') },
    'drift-monitor': {
      STREAMSCORE_GROUP_ID: serviceGroupId(runId, 'drift'),
      STREAMSCORE_INGESTION_GROUP_ID: serviceGroupId(runId, 'ingestion'),
      STREAMSCORE_INFERENCE_GROUP_ID: serviceGroupId(runId, 'inference'),
      STREAMSCORE_DRIFT_ALERT_AFTER: '2',
      STREAMSCORE_DRIFT_TRIGGER_AFTER: '2',
    },
  };
  const services = new Map<ServiceName, ServiceProcess>();
  const urlOf = (name: ServiceName): string => services.get(name)?.url ?? '';
  const stopAll = async (): Promise<void> => {
    await Promise.all([...services.values()].map((s) => s.stop('SIGTERM')));
  };
  // One clean-up, whether the run ends by itself or by Ctrl-C (which may come during the first).
  let finished = false;
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> => (cleaning ??= cleanUpRun(kafka, runId, options.keepData));
  // Ctrl-C stops the services; after a finished --keep-running run it cleans up and exits with the
  // run's result (process.exitCode, set from main's return). Cut short, the run keeps its data:
  // the replay may still be writing to it.
  process.once('SIGINT', () => {
    void stopAll()
      .then(async () => {
        if (finished) await cleanUp();
        else line(`  interrupted: ${runId} left in place (--clean-old removes it)`);
      })
      .then(() => process.exit(process.exitCode ?? 130));
  });
  for (const name of ['ingestion', 'features', 'inference', 'drift-monitor'] as const) {
    const service = await startServiceProcess(name, { ...env, ...serviceEnv[name] }, { timeoutMs: 60_000 });
    services.set(name, service);
    line(`  ${name} up at ${service.url}`);
  }

  const departures = loadSchemaHistory(pipeline.streams.events.schemaDir).latest.type;
  const outcomes = loadSchemaHistory(pipeline.streams.outcomes.schemaDir).latest.type;
  const producer = kafka.producer();
  await producer.connect();
  // Joined before the first send, so each prediction is stamped when it arrives (latency at receipt).
  const tail = await TopicTail.start(kafka, topics.name('predictions'), {
    groupId: `${serviceGroupId(runId, 'inference')}.latency-tail`,
    maxWaitTimeInMs: 10,
  });
  const replayStarted = Date.now();
  let produced = 0;
  let outcomesProduced = 0;
  let lastProgress = 0;
  const progress = async (
    final = false,
  ): Promise<{
    valid: number;
    dead: number;
    scored: number;
    predDead: number;
    alerts: number;
    featuresApplied: number;
    featuresLate: number;
    driftLate: number;
  }> => {
    const [ing, inf, drift, feat] = await Promise.all([
      scrape(urlOf('ingestion')),
      scrape(urlOf('inference')),
      scrape(urlOf('drift-monitor')),
      scrape(urlOf('features')),
    ]);
    const eventsTopic = `topic="${topics.name('events')}"`;
    const state = {
      valid: sumMetric(ing, 'ingestion_records_valid_total', eventsTopic),
      dead: sumMetric(ing, 'ingestion_records_dead_lettered_total', eventsTopic),
      scored:
        sumMetric(inf, 'inference_rows_scored_total', 'role="ACTIVE"') +
        sumMetric(inf, 'inference_rows_scored_total', 'role="CANARY"'),
      predDead: sumMetric(inf, 'inference_dead_lettered_total'),
      alerts: sumMetric(drift, 'drift_alerts_total'),
      // Per view: a record counts once for every view of its source.
      featuresApplied: sumMetric(feat, 'features_records_total', 'outcome="applied"'),
      featuresLate: sumMetric(feat, 'features_records_total', 'outcome="late"'),
      driftLate: sumMetric(drift, 'drift_late_records_total'),
    };
    const seconds = (Date.now() - replayStarted) / 1000;
    line(
      `  ${final ? 'done ' : ''}produced ${produced} (+${outcomesProduced} outcomes) · validated ${state.valid} · dead-lettered ${state.dead} · ` +
        `scored ${state.scored} · prediction dead letters ${state.predDead} · ${Math.round(state.scored / Math.max(seconds, 0.001))}/s · drift alerts ${state.alerts}`,
    );
    return state;
  };

  // SIGTERM each service in turn mid-run (it must drain and commit its in-flight batch, and exit 0
  // within its grace period), then start it again: the accounting must still be exact.
  const restarts: Restart[] = [];
  const restartEach = async (): Promise<Restart[]> => {
    const done: Restart[] = [];
    for (const name of ['ingestion', 'features', 'inference', 'drift-monitor'] as const) {
      const service = services.get(name);
      if (!service) continue;
      const t0 = Date.now();
      const exitCode = await service.stop('SIGTERM', 30_000);
      done.push({ service: name, exitCode, stopMs: Date.now() - t0 });
      line(`  ${name} stopped by SIGTERM: exit ${String(exitCode)} in ${Date.now() - t0} ms; restarting`);
      services.set(
        name,
        await startServiceProcess(name, { ...env, ...serviceEnv[name] }, { timeoutMs: 60_000 }),
      );
    }
    return done;
  };

  // Each 10 ms tick sends what is due, in plan order (runner/paced-replay.ts).
  await replayPaced({
    producer,
    records: plan.records,
    rate: options.rate,
    startedMs: replayStarted,
    topics: { events: topics.name('events'), outcomes: topics.name('outcomes') },
    encode: (r) =>
      r.stream === 'events'
        ? encodeSingleObject(departures, r.record)
        : encodeSingleObject(outcomes, r.record),
    onTick: async (sent) => {
      produced = sent.departures;
      outcomesProduced = sent.outcomes;
      if (Date.now() - lastProgress > 2_000) {
        lastProgress = Date.now();
        void progress();
      }
      if (options.restartServices && restarts.length === 0 && produced >= options.events / 3) {
        restarts.push(...(await restartEach()));
      }
    },
  });
  await producer.disconnect();

  const deadline = Date.now() + options.timeoutS * 1000;
  let state = await progress();
  // Counters restart with a restarted process, so after restarts "done" is: nothing moved for
  // a while. Either way the accounting below is read from the topics, not from the counters.
  let unchanged = 0;
  while (Date.now() < deadline) {
    const previous = state;
    state = await progress();
    const settled = state.valid + state.dead === produced && state.scored + state.predDead >= state.valid;
    const moved =
      state.valid !== previous.valid ||
      state.scored !== previous.scored ||
      state.predDead !== previous.predDead;
    unchanged = moved ? 0 : unchanged + 1;
    if (settled || (restarts.length > 0 && unchanged >= 5)) break;
    await new Promise((res) => setTimeout(res, 2_000));
  }
  const elapsedMs = Date.now() - replayStarted;
  // Give the drift monitor a moment to close the last complete window.
  const driftDeadline = Date.now() + 20_000;
  while (state.alerts === 0 && Date.now() < driftDeadline) {
    await new Promise((res) => setTimeout(res, 2_000));
    state = await progress();
  }
  const final = await progress(true);

  line('  reading the topics back for the accounting (read_committed)…');
  const summary: Summary = await account({
    kafka,
    topics,
    schemasDir: join(ROOT, 'schemas'),
    eventSchemaDir: pipeline.streams.events.schemaDir,
    produced,
    outcomesProduced,
    elapsedMs,
    committedBy: [
      { groupId: serviceGroupId(runId, 'ingestion'), topic: topics.name('events') },
      { groupId: serviceGroupId(runId, 'inference'), topic: topics.name('eventsValidated') },
    ],
    receipts: {
      // Called once the predictions are read back: the tail has had every committed one for a while.
      collect: async (predicted) => {
        await tail.awaitReceived(predicted, 15_000);
        return tail.take();
      },
      window: measureWindow(replayStarted, options.warmupS, options.measureS),
      replayStartedMs: replayStarted,
    },
  });
  await tail.stop();
  await admin.disconnect();
  // Counters restart with a process; they are comparable with the topics only without restarts.
  const metrics = {
    validated: final.valid,
    deadLettered: final.dead,
    predicted: final.scored,
    predictionDeadLettered: final.predDead,
    // Feature-view updates applied and dropped as late (one per record and view of its source).
    featureUpdatesApplied: final.featuresApplied,
    featureUpdatesLate: final.featuresLate,
    // Predictions the drift monitor dropped because their window had closed.
    driftLateRecords: final.driftLate,
  };
  // The namespace, so a caller can reach the topics of a --keep-running run (the e2e test's CLI steps).
  const report = { ...summary, metrics, restarts, topicPrefix: runId, partitions: options.partitions };
  if (!options.keepRunning) await stopAll();
  else {
    line(`  services keep running; drift page: ${urlOf('drift-monitor')}/drift`);
    // The CLI finds this run's topics only with its prefix (and reads the same pipeline file).
    line(
      `  point the CLI at this run: export TOPIC_PREFIX=${runId} TOPIC_PARTITIONS=${options.partitions} STREAMSCORE_PIPELINE=${PIPELINE}`,
    );
  }

  line('');
  for (const [k, v] of Object.entries(summary)) line(`  ${k.padEnd(26)} ${String(v)}`);
  line(`  ${'featureUpdatesApplied'.padEnd(26)} ${metrics.featureUpdatesApplied}`);
  line(`  ${'featureUpdatesLate'.padEnd(26)} ${metrics.featureUpdatesLate}`);
  line(`  ${'driftLateRecords'.padEnd(26)} ${metrics.driftLateRecords}`);
  // Not a figure of the pipeline: elapsedSeconds is (docs/demo-summary.md).
  line(`  wall time, with start-up and accounting ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (options.summary) writeFileSync(options.summary, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  if (!summary.accountedFor) line('  NOT every event is accounted for');
  finished = true;
  if (!options.keepRunning) await cleanUp();
  return summary.accountedFor ? 0 : 1;
}

const program = new Command('demo')
  .description('replay real flights through the four services and account for every event')
  .option('--events <n>', 'departures to replay', (v) => Number.parseInt(v, 10), 50_000)
  .option(
    '--rate <n>',
    'departures per second (0 = as fast as the pipeline takes them)',
    (v) => Number(v),
    5_000,
  )
  .option('--summary <file>', 'write the final summary as JSON (every field: docs/demo-summary.md)')
  .option('--keep-running', 'leave the services running at the end; Ctrl-C stops them', false)
  .option('--keep-data', "keep the run's topics, consumer groups and Redis keys at the end", false)
  .option('--clean-old', 'first remove topics, groups and Redis keys of idle earlier demo runs', false)
  .option('--partitions <n>', 'partitions of the data topics', (v) => Number.parseInt(v, 10), 6)
  .option('--timeout-s <n>', 'longest wait for the pipeline to drain', (v) => Number.parseInt(v, 10), 600)
  .option('--restart-services', 'SIGTERM and restart each service a third of the way through', false)
  .option(
    '--warmup-s <n>',
    'seconds after the replay starts whose departures are not measured',
    (v) => Number(v),
    10,
  )
  .option(
    '--measure-s <n>',
    'seconds after the warm-up whose departures are measured (latency)',
    (v) => Number(v),
    60,
  )
  .action(async (opts: Options) => {
    process.exitCode = await main(opts);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`demo: ${failure(error)}\n`);
  process.exit(1);
});
