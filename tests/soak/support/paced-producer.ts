import type { Kafka, Producer } from 'kafkajs';
import type { FeedReader } from './feed-reader';
import { FEED_HEADERS } from './flight-feed';

/** How often the producer wakes to send what is due: at 1,000 departures/s, about 20 a send. */
const TICK_MS = 20;
/** At most this many departures in one send, so a catch-up after a stall is cut into sends too. */
const MAX_DEPARTURES_PER_SEND = 2_000;

export interface PacedProducerOptions {
  readonly kafka: Kafka;
  /** Departures per second; their outcomes go with them in event-time order. */
  readonly rate: number;
  readonly durationMs: number;
  readonly topics: { readonly events: string; readonly outcomes: string };
  /** Called for each departure just before its send, with the send's wall-clock time. */
  readonly onDeparture: (eventId: string, sentAtMs: number) => void;
}

/**
 * Sends the feed at a fixed rate paced by the wall clock: every TICK_MS it sends the departures due
 * by then (elapsed × rate, not a burst per second), with the outcomes that come between them. One
 * send at a time; a send that takes longer leaves more due for the next one, so the average rate
 * holds unless the broker cannot take it (then `achievedRate` says so). Each message carries its
 * send time as its timestamp (CreateTime), so broker-timestamp latencies start at the send.
 */
export class PacedProducer {
  private producer: Producer | undefined;
  private sentDepartures = 0;
  private sentOutcomes = 0;
  private longestGapMs = 0;
  private longestGapSinceTaken = 0;
  private startedAt = 0;
  private finishedAt = 0;

  constructor(
    private readonly feed: FeedReader,
    private readonly options: PacedProducerOptions,
  ) {}

  get departures(): number {
    return this.sentDepartures;
  }

  get outcomes(): number {
    return this.sentOutcomes;
  }

  /** Longest time between two sends (a data chunk being read, a slow ack): how even the pace was. */
  get maxGapMs(): number {
    return this.longestGapMs;
  }

  /** The longest time between two sends since the previous call. */
  takeMaxGapMs(): number {
    const gap = this.longestGapSinceTaken;
    this.longestGapSinceTaken = 0;
    return gap;
  }

  /** Departures per second over the whole send, from the first send to the last. */
  get achievedRate(): number {
    const end = this.finishedAt || performance.now();
    return this.startedAt === 0 ? 0 : this.sentDepartures / Math.max((end - this.startedAt) / 1000, 0.001);
  }

  /** Sends until durationMs has passed since the call; resolves when the last send is acknowledged. */
  async run(): Promise<void> {
    const { rate, durationMs, topics } = this.options;
    this.producer = this.options.kafka.producer();
    await this.producer.connect();
    const total = Math.floor((rate * durationMs) / 1000);
    await this.feed.prime();
    this.startedAt = performance.now();
    let lastSend = this.startedAt;
    try {
      while (this.sentDepartures < total) {
        const elapsed = performance.now() - this.startedAt;
        const due = Math.min(total, Math.floor((elapsed / 1000) * rate)) - this.sentDepartures;
        if (due <= 0) {
          await new Promise((resolve) => setTimeout(resolve, TICK_MS));
          continue;
        }
        const events: { key: string; value: Buffer; headers: typeof FEED_HEADERS; timestamp: string }[] = [];
        const outcomes: typeof events = [];
        const now = Date.now();
        const timestamp = String(now);
        let departures = 0;
        while (departures < Math.min(due, MAX_DEPARTURES_PER_SEND)) {
          const record = await this.feed.take();
          const message = { key: record.key, value: record.value, headers: FEED_HEADERS, timestamp };
          if (record.topic === 'events') {
            events.push(message);
            this.options.onDeparture(record.eventId, now);
            departures++;
          } else {
            outcomes.push(message);
          }
        }
        const sendStarted = performance.now();
        this.longestGapMs = Math.max(this.longestGapMs, sendStarted - lastSend);
        this.longestGapSinceTaken = Math.max(this.longestGapSinceTaken, sendStarted - lastSend);
        lastSend = sendStarted;
        await this.producer.sendBatch({
          topicMessages: [
            { topic: topics.events, messages: events },
            ...(outcomes.length > 0 ? [{ topic: topics.outcomes, messages: outcomes }] : []),
          ],
        });
        this.sentDepartures += departures;
        this.sentOutcomes += outcomes.length;
      }
    } finally {
      this.finishedAt = performance.now();
      await this.producer.disconnect();
    }
  }
}
