import { join } from 'node:path';
import { ContentTypes, encodeSingleObject, Headers, loadSchemaHistory } from '@streamscore/contracts';
import {
  loadFlightsParquet,
  toFlightEvents,
  type FlightDeparture,
  type FlightOutcome,
} from '@streamscore/demo-flights/testing';

const DAY_MS = 86_400_000;
/** The parquet file holds flights scheduled from 2001-01-01 00:01 to 2001-07-01 00:00 (UTC). */
const DATA_FROM_MS = Date.UTC(2001, 0, 1);
const DATA_TO_MS = Date.UTC(2001, 6, 2);
/**
 * Each pass over the data is shifted 26 weeks later than the one before: event time keeps moving
 * forward (the features' and the drift monitor's windows never see the past again), and a whole
 * number of weeks keeps each flight's weekday and hour. 182 days cover the 181 days of data.
 */
const ROUND_MS = 26 * 7 * DAY_MS;
/** Days decoded at once: a 7-day range decodes one or two of the file's 11 row groups (~0.5 s). */
const CHUNK_DAYS = 7;

/** One input record, encoded, in replay order. */
export interface FeedRecord {
  readonly topic: 'events' | 'outcomes';
  readonly key: string;
  readonly value: Buffer;
  /** The departure's event id (also its outcome's). */
  readonly eventId: string;
}

/**
 * A week of records in replay order, in a shape a worker thread can hand over without copying the
 * bytes: record i is `values[ends[i-1] … ends[i])`, on `events` when `isEvent[i]` is 1.
 */
export interface FeedChunk {
  readonly pass: number;
  readonly isEvent: Uint8Array<ArrayBuffer>;
  readonly keys: string[];
  readonly eventIds: string[];
  readonly values: Uint8Array<ArrayBuffer>;
  readonly ends: Uint32Array<ArrayBuffer>;
}

interface Timed {
  readonly at: number;
  readonly record: FeedRecord;
}

const SCHEMAS = join(__dirname, '..', '..', '..', 'demo', 'flights', 'schemas');

/**
 * Real flights (vega-datasets' 3M rows) as departures and their outcomes, read a week at a time
 * from the parquet file, in event-time order as the demo replays them (a departure at its
 * scheduled time, an outcome when its delay became known; outcomes first at equal times). The
 * records never run out: after the last flight the data starts again, each pass shifted 26 weeks
 * later with `~<pass>` appended to every event id, so ids stay unique (as the chaos runs repeat
 * the 20k cut).
 */
export class FlightFeed {
  private readonly departureType = loadSchemaHistory(join(SCHEMAS, 'flight-departure')).latest.type;
  private readonly outcomeType = loadSchemaHistory(join(SCHEMAS, 'flight-outcome')).latest.type;
  /** Outcomes of departures already fed whose delay becomes known after the current chunk. */
  private pending: Timed[] = [];
  private chunkFrom = DATA_FROM_MS;
  private round = 0;

  /** The next week of records (after the last week, the first week of the next pass). */
  async nextChunk(): Promise<FeedChunk> {
    const pass = this.round;
    const records = await this.readChunk();
    const values = new Uint8Array(records.reduce((sum, r) => sum + r.value.length, 0));
    const ends = new Uint32Array(records.length);
    let at = 0;
    records.forEach((r, i) => {
      values.set(r.value, at);
      at += r.value.length;
      ends[i] = at;
    });
    return {
      pass,
      isEvent: Uint8Array.from(records, (r) => (r.topic === 'events' ? 1 : 0)),
      keys: records.map((r) => r.key),
      eventIds: records.map((r) => r.eventId),
      values,
      ends,
    };
  }

  private async readChunk(): Promise<FeedRecord[]> {
    const from = this.chunkFrom;
    const to = Math.min(from + CHUNK_DAYS * DAY_MS, DATA_TO_MS);
    const flights = await loadFlightsParquet({ fromMs: from, toMs: to });
    const shift = this.round * ROUND_MS;
    const suffix = this.round === 0 ? '' : `~${this.round}`;
    const { departures, outcomes } = toFlightEvents(flights);
    const timed: Timed[] = departures.map((d) => ({
      at: d.scheduledAt + shift,
      record: this.departure(d, suffix, shift),
    }));
    for (const o of outcomes)
      this.pending.push({ at: o.knownAt + shift, record: this.outcome(o, suffix, shift) });
    const lastOfPass = to >= DATA_TO_MS;
    // Outcomes known before the chunk ends go out with it; at the end of a pass, all of them.
    const due = lastOfPass ? this.pending : this.pending.filter((o) => o.at < to + shift);
    this.pending = lastOfPass ? [] : this.pending.filter((o) => o.at >= to + shift);
    // Outcomes first at equal times: they were known at that instant (demo/runner/replay-plan.ts).
    const merged = [...due, ...timed].sort(
      (a, b) =>
        a.at - b.at || (a.record.topic === b.record.topic ? 0 : a.record.topic === 'outcomes' ? -1 : 1),
    );
    if (lastOfPass) {
      this.round++;
      this.chunkFrom = DATA_FROM_MS;
    } else {
      this.chunkFrom = to;
    }
    return merged.map((t) => t.record);
  }

  private departure(d: FlightDeparture, suffix: string, shift: number): FeedRecord {
    const eventId = `${d.eventId}${suffix}`;
    const record = { ...d, eventId, scheduledAt: d.scheduledAt + shift };
    return { topic: 'events', key: d.origin, value: encodeSingleObject(this.departureType, record), eventId };
  }

  private outcome(o: FlightOutcome, suffix: string, shift: number): FeedRecord {
    const eventId = `${o.eventId}${suffix}`;
    const record = { ...o, eventId, scheduledAt: o.scheduledAt + shift, knownAt: o.knownAt + shift };
    return { topic: 'outcomes', key: o.origin, value: encodeSingleObject(this.outcomeType, record), eventId };
  }
}

/** The headers every input record carries (as the demo writes them). */
export const FEED_HEADERS = { [Headers.contentType]: ContentTypes.avro };
