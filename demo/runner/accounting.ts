import type { Kafka } from 'kafkajs';
import { createDecoder, loadSchemaHistory, type TopicCatalogue } from '@streamscore/contracts';
import { awaitGroupCommitted, percentile, readTopicToEnd } from '@streamscore/testing';
import type { ReceiptLatency } from './latency-window';
import { receiptLatency, type Receipts } from './receipt-latency';

/** The receipt latency fields are there when the run tailed `predictions` (the demo does). */
export interface Summary extends Partial<ReceiptLatency> {
  produced: number;
  validated: number;
  deadLettered: number;
  predicted: number;
  predictionDeadLettered: number;
  duplicatePredictions: number;
  missingPredictions: number;
  staleFeaturePredictions: number;
  driftReports: number;
  driftAlerts: number;
  retrainingTriggers: number;
  outcomesProduced: number;
  eventsPerSecond: number;
  latencyMsP50: number;
  latencyMsP99: number;
  /** Where latencyMsP99 comes from: `events` → `events.validated` (ingestion) ... */
  ingestionHopMsP99: number;
  /** ... `events.validated` → `predictions` (inference) ... */
  inferenceHopMsP99: number;
  /** ... of which waiting for the micro-batch (the prediction's timings.queueMs) ... */
  inferenceQueueMsP99: number;
  /** ... the feature read itself (timings.featuresMs) ... */
  featureReadMsP99: number;
  /** ... and the wait after it for complete features, up to the max wait (timings.featureWaitMs). */
  featureWaitMsP99: number;
  /** Predictions of micro-batches that waited for complete features at all (featureWaitMs > 0). */
  featureWaitPredictions: number;
  elapsedSeconds: number;
  accountedFor: boolean;
}

/**
 * The exact accounting, read back from the topics with read_committed: each departure must come
 * out once, as a prediction or a prediction dead letter. latencyMs* is the time from a departure's
 * append to `events` to its prediction's append to `predictions` (record timestamps) over every
 * prediction; with `receipts`, the receipt latency fields (latency-window.ts) are added.
 */
export async function account(options: {
  kafka: Kafka;
  topics: TopicCatalogue;
  schemasDir: string;
  eventSchemaDir: string;
  produced: number;
  outcomesProduced: number;
  elapsedMs: number;
  /** Consumer groups whose input must be committed before the outputs are final, with that input. */
  committedBy: readonly { readonly groupId: string; readonly topic: string }[];
  /** How long each topic's read may take (default 120 s); a soak's millions of records need longer. */
  readTimeoutMs?: number;
  /** What a read_committed tail of `predictions` received during the run: latency at receipt. */
  receipts?: Receipts;
}): Promise<Summary> {
  const { kafka, topics } = options;
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const { groupId, topic } of options.committedBy) {
      // A service that never caught up leaves its outputs short: the summary reports them missing.
      await awaitGroupCommitted(admin, groupId, topic, { timeoutMs: 60_000 }).catch((error: unknown) => {
        process.stdout.write(`  ${error instanceof Error ? error.message : String(error)}\n`);
      });
    }
  } finally {
    await admin.disconnect();
  }
  const read = (key: Parameters<TopicCatalogue['name']>[0]) =>
    readTopicToEnd(kafka, topics.name(key), {
      isolation: 'read_committed',
      timeoutMs: options.readTimeoutMs ?? 120_000,
    });
  const [events, validated, dead, predictions, predictionDead, reports, alerts, triggers] = await Promise.all(
    [
      read('events'),
      read('eventsValidated'),
      read('eventsDeadLetter'),
      read('predictions'),
      read('predictionsDeadLetter'),
      read('driftReports'),
      read('driftAlerts'),
      read('retrainingTriggers'),
    ],
  );
  const eventDecoder = createDecoder(loadSchemaHistory(options.eventSchemaDir));
  const predictionDecoder = createDecoder(loadSchemaHistory(`${options.schemasDir}/prediction`));
  const idOf = new Map<string, number>();
  for (const m of events) {
    const r = await eventDecoder.decode(m.value, m.headers);
    if (r.ok) idOf.set(String(r.record['eventId']), Number(m.timestamp));
  }
  const validatedAt = new Map<string, number>();
  for (const m of validated) {
    const r = await eventDecoder.decode(m.value, m.headers);
    if (r.ok) validatedAt.set(String(r.record['eventId']), Number(m.timestamp));
  }
  const seen = new Map<string, number>();
  const latencies: number[] = [];
  const hops = {
    ingestion: [] as number[],
    inference: [] as number[],
    queue: [] as number[],
    features: [] as number[],
    featureWait: [] as number[],
  };
  let stale = 0;
  for (const m of predictions) {
    const r = await predictionDecoder.decode(m.value, m.headers);
    if (!r.ok) continue;
    const id = String(r.record['eventId']);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const flags = r.record['flags'] as string[];
    if (flags.includes('staleFeatures')) stale++;
    const sent = idOf.get(id);
    if (sent !== undefined) latencies.push(Number(m.timestamp) - sent);
    const valid = validatedAt.get(id);
    if (sent !== undefined && valid !== undefined) hops.ingestion.push(valid - sent);
    if (valid !== undefined) hops.inference.push(Number(m.timestamp) - valid);
    const timings = r.record['timings'] as
      { queueMs: number; featuresMs: number; featureWaitMs: number } | undefined;
    if (timings) {
      hops.queue.push(timings.queueMs);
      hops.features.push(timings.featuresMs);
      hops.featureWait.push(timings.featureWaitMs);
    }
  }
  for (const m of predictionDead) {
    const r = await eventDecoder.decode(m.value, m.headers);
    if (r.ok) {
      const id = String(r.record['eventId']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  let duplicates = 0;
  for (const n of seen.values()) if (n > 1) duplicates += n - 1;
  const validatedEvents = validated.length;
  const missing = validatedEvents - [...seen.keys()].length;
  latencies.sort((a, b) => a - b);
  const p99 = (values: number[]): number =>
    Math.round(
      percentile(
        values.sort((a, b) => a - b),
        0.99,
      ),
    );
  const summary: Summary = {
    produced: options.produced,
    validated: validatedEvents,
    deadLettered: dead.length,
    predicted: predictions.length,
    predictionDeadLettered: predictionDead.length,
    duplicatePredictions: duplicates,
    missingPredictions: Math.max(0, missing),
    staleFeaturePredictions: stale,
    driftReports: reports.length,
    driftAlerts: alerts.length,
    retrainingTriggers: triggers.length,
    outcomesProduced: options.outcomesProduced,
    eventsPerSecond: Math.round((options.produced / options.elapsedMs) * 1000),
    latencyMsP50: percentile(latencies, 0.5),
    latencyMsP99: percentile(latencies, 0.99),
    ingestionHopMsP99: p99(hops.ingestion),
    inferenceHopMsP99: p99(hops.inference),
    inferenceQueueMsP99: p99(hops.queue),
    featureReadMsP99: p99(hops.features),
    featureWaitMsP99: p99(hops.featureWait),
    featureWaitPredictions: hops.featureWait.filter((ms) => ms > 0).length,
    ...(options.receipts
      ? await receiptLatency(options.receipts, predictionDecoder, idOf, validatedAt, predictions.length)
      : {}),
    elapsedSeconds: Math.round(options.elapsedMs / 100) / 10,
    accountedFor: false,
  };
  summary.accountedFor =
    summary.validated + summary.deadLettered === summary.produced &&
    summary.predicted + summary.predictionDeadLettered === summary.validated &&
    summary.duplicatePredictions === 0 &&
    summary.missingPredictions === 0;
  return summary;
}
