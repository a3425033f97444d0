import {
  loadFlightsParquet,
  toFlightEvents,
  type FlightDeparture,
  type FlightOutcome,
} from '../flights/data';

const DAY_MS = 86_400_000;

/** A record to publish, in replay (event-time) order. */
export type ReplayRecord =
  | { readonly stream: 'events'; readonly at: number; readonly record: FlightDeparture }
  | {
      readonly stream: 'outcomes';
      readonly at: number;
      readonly record: FlightOutcome;
      readonly warmUp: boolean;
    };

export interface ReplayPlan {
  readonly records: ReplayRecord[];
  readonly departures: number;
  readonly outcomes: number;
  readonly slices: { label: string; fromMs: number; toMs: number; departures: number }[];
}

export interface PlanOptions {
  /** Departures to replay, across the slices in order. */
  readonly events: number;
  /** Contiguous event-time slices, e.g. the held-out end of January then June. */
  readonly slices: readonly { label: string; fromMs: number; toMs: number }[];
  /** Outcomes known in this span before a slice are published first, so features start warm. */
  readonly warmUpMs: number;
}

/**
 * Takes whole, contiguous flights from each slice in time order until `events` departures are
 * planned (no sampling inside a slice: sampling would change counts and fake drift). Each
 * departure is published at its scheduled time, each outcome at the time its delay became known,
 * merged into one event-time order.
 */
export async function planReplay(options: PlanOptions): Promise<ReplayPlan> {
  const records: ReplayRecord[] = [];
  const slices: ReplayPlan['slices'] = [];
  let remaining = options.events;
  let outcomes = 0;
  for (const slice of options.slices) {
    if (remaining <= 0) break;
    const flights = await loadFlightsParquet({ fromMs: slice.fromMs - options.warmUpMs, toMs: slice.toMs });
    const { departures, outcomes: all } = toFlightEvents(flights);
    const inSlice = departures.filter((d) => d.scheduledAt >= slice.fromMs).slice(0, remaining);
    const lastDeparture = inSlice[inSlice.length - 1];
    if (!lastDeparture) continue;
    const last = lastDeparture.scheduledAt;
    const chosen = new Set(inSlice.map((d) => d.eventId));
    for (const d of inSlice) records.push({ stream: 'events', at: d.scheduledAt, record: d });
    for (const o of all) {
      const warmUp = o.scheduledAt < slice.fromMs;
      // Warm-up outcomes known before the slice starts, and the outcomes of the chosen departures
      // known before the replay of this slice ends.
      if ((warmUp && o.knownAt < slice.fromMs) || (chosen.has(o.eventId) && o.knownAt <= last)) {
        records.push({ stream: 'outcomes', at: o.knownAt, record: o, warmUp });
        outcomes++;
      }
    }
    slices.push({
      label: slice.label,
      fromMs: slice.fromMs,
      toMs: Math.min(slice.toMs, last + 1),
      departures: inSlice.length,
    });
    remaining -= inSlice.length;
  }
  // Stable sort by event time; at equal times outcomes first (they were known at that instant).
  records.sort((a, b) => a.at - b.at || (a.stream === b.stream ? 0 : a.stream === 'outcomes' ? -1 : 1));
  return { records, departures: options.events - remaining, outcomes, slices };
}

export function defaultSlices(): { label: string; fromMs: number; toMs: number }[] {
  return [
    // The model's held-out days (it was trained on January 1–24): no drift expected.
    { label: 'January 31 (held out)', fromMs: Date.UTC(2001, 0, 31), toMs: Date.UTC(2001, 1, 1) },
    // Summer: traffic and delays have moved; enough days for the drift monitor to confirm drift.
    { label: 'June', fromMs: Date.UTC(2001, 5, 1), toMs: Date.UTC(2001, 5, 1) + 10 * DAY_MS },
  ];
}
