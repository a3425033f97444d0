import type { Producer } from 'kafkajs';
import { ContentTypes, Headers } from '@streamscore/contracts';
import { departuresDue, nextSendEnd, nextTickAt } from './pacing';
import type { ReplayRecord } from './replay-plan';

export interface ReplayCounts {
  departures: number;
  outcomes: number;
}

export interface PacedReplayOptions {
  readonly producer: Producer;
  readonly records: readonly ReplayRecord[];
  /** Departures per second; 0 sends as fast as the producer takes them (MAX_SEND per send). */
  readonly rate: number;
  /** Wall clock the rate counts from. */
  readonly startedMs: number;
  readonly topics: { readonly events: string; readonly outcomes: string };
  readonly encode: (record: ReplayRecord) => Buffer;
  /** After every send or idle tick, with the counts sent so far (progress, a mid-run restart). */
  readonly onTick: (sent: ReplayCounts) => Promise<void>;
}

/**
 * Sends the replay plan at a steady rate: each 10 ms tick sends the departures due by then and
 * the outcomes between them, in plan order, one send at a time (a send never overtakes another).
 */
export async function replayPaced(options: PacedReplayOptions): Promise<ReplayCounts> {
  const { records, rate, startedMs } = options;
  const isDeparture = records.map((r) => r.stream === 'events');
  const total = isDeparture.filter(Boolean).length;
  const headers = { [Headers.contentType]: ContentTypes.avro };
  const sent: ReplayCounts = { departures: 0, outcomes: 0 };
  const dueNow = (): number => departuresDue(Date.now() - startedMs, rate, total);
  let next = 0;
  while (next < records.length) {
    const { end, departures } = nextSendEnd(isDeparture, next, sent.departures, dueNow());
    if (end > next) {
      const byTopic = { events: [] as Message[], outcomes: [] as Message[] };
      for (const r of records.slice(next, end)) {
        byTopic[r.stream].push({ key: r.record.origin, value: options.encode(r), headers });
      }
      await options.producer.sendBatch({
        topicMessages: (['events', 'outcomes'] as const)
          .filter((s) => byTopic[s].length > 0)
          .map((s) => ({ topic: options.topics[s], messages: byTopic[s] })),
      });
      sent.departures += departures;
      sent.outcomes += end - next - departures;
      next = end;
    }
    await options.onTick({ ...sent });
    // Sleep to the next tick unless more is due now (catching up, no rate limit, outcomes next).
    const moreDue = next < records.length && (!isDeparture[next] || dueNow() > sent.departures);
    if (!moreDue) {
      const wake = nextTickAt(startedMs, Date.now());
      await new Promise((res) => setTimeout(res, Math.max(0, wake - Date.now())));
    }
  }
  return sent;
}

interface Message {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}
