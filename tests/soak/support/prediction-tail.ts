import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import {
  createDecoder,
  loadSchemaHistory,
  type Prediction,
  type TopicCatalogue,
} from '@streamscore/contracts';
import { TopicReader, type TopicRecord } from '@streamscore/kafka';

/**
 * End-to-end latency as a user of the predictions sees it: from a departure's send to the moment a
 * read_committed consumer receives its prediction (so the inference transaction's commit is
 * included). Tails `predictions`, `predictions.dead-letter` and `events.dead-letter` with the
 * platform's topic reader; a departure is in flight from its send until one of them names it.
 * Only in-flight departures are held, so memory stays bounded by the pipeline's backlog.
 */
export class PredictionTail {
  private readonly sentAt = new Map<string, number>();
  private latencies: number[] = [];
  private readonly abort = new AbortController();
  private failure: Error | undefined;
  private reader: TopicReader | undefined;
  private watching: Promise<void> = Promise.resolve();
  private predictionsSeen = 0;
  private deadLettersSeen = 0;
  private notInFlight = 0;

  private constructor(
    private readonly topics: TopicCatalogue,
    private readonly decodePrediction: (r: TopicRecord) => Promise<string | undefined>,
    private readonly decodeEvent: (r: TopicRecord) => Promise<string | undefined>,
  ) {}

  static async start(
    kafka: Kafka,
    topics: TopicCatalogue,
    options: { readonly schemasDir: string; readonly eventSchemaDir: string },
  ): Promise<PredictionTail> {
    const predictions = createDecoder<Prediction>(loadSchemaHistory(join(options.schemasDir, 'prediction')));
    const events = createDecoder(loadSchemaHistory(options.eventSchemaDir));
    const tail = new PredictionTail(
      topics,
      async (r) => {
        const result = await predictions.decode(r.value, r.headers);
        return result.ok ? result.record.eventId : undefined;
      },
      async (r) => {
        // An ingestion dead letter may be an outcome or undecodable: only departures are tracked.
        const result = await events.decode(r.value, r.headers);
        return result.ok ? String(result.record['eventId']) : undefined;
      },
    );
    tail.reader = await TopicReader.start(
      kafka,
      [topics.name('predictions'), topics.name('predictionsDeadLetter'), topics.name('eventsDeadLetter')],
      (record) => tail.take(record),
      { isolation: 'read_committed', groupPrefix: 'soak-tail', signal: tail.abort.signal },
      Date.now() + 60_000,
    );
    tail.watching = tail.reader.readUntilAborted().catch((error: unknown) => {
      tail.failure = error instanceof Error ? error : new Error(String(error));
    });
    return tail;
  }

  /** A departure sent at `atMs` (wall clock). */
  readonly sent = (eventId: string, atMs: number): void => {
    this.sentAt.set(eventId, atMs);
  };

  /** Departures sent that no output names yet. */
  get inFlight(): number {
    return this.sentAt.size;
  }

  get counts(): { predictions: number; deadLetters: number; notInFlight: number } {
    return {
      predictions: this.predictionsSeen,
      deadLetters: this.deadLettersSeen,
      // Outputs naming a departure not in flight: a duplicate (or an id never sent).
      notInFlight: this.notInFlight,
    };
  }

  /** The reader's failure, if it stopped. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Latencies (ms) of the predictions received since the previous call. */
  takeLatencies(): number[] {
    const taken = this.latencies;
    this.latencies = [];
    return taken;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.watching;
    await this.reader?.stop();
  }

  private async take(record: TopicRecord): Promise<void> {
    const receivedAt = Date.now();
    const isPrediction = record.topic === this.topics.name('predictions');
    const eventId = await (isPrediction ? this.decodePrediction(record) : this.decodeEvent(record));
    if (isPrediction) this.predictionsSeen++;
    else if (eventId !== undefined) this.deadLettersSeen++;
    if (eventId === undefined) return;
    const sentAt = this.sentAt.get(eventId);
    if (sentAt === undefined) {
      this.notInFlight++;
      return;
    }
    this.sentAt.delete(eventId);
    if (isPrediction) this.latencies.push(receivedAt - sentAt);
  }
}
