import { computeOfflineRows, type FeatureView } from '@streamscore/features';
import type { OnlineValues } from '@streamscore/models';
import type { LabelledWindow } from '@streamscore/training';
import { loadFlightsParquet, toFlightEvents, type FlightDeparture } from '../data';
import { DELAY_THRESHOLD_MINUTES } from './flight-delay-blueprint';

const DAY_MS = 86_400_000;

export interface TrainingWindows {
  readonly train: LabelledWindow;
  readonly validation: LabelledWindow;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * Departures of [fromMs, toMs + validationDays) with their online features as of scheduledAt
 * (point in time, by libs/features' offline computation over every outcome and departure loaded)
 * and their label (delay > 15 min). Flights are split by scheduled time: [from, to) trains,
 * [to, to + validationDays) is held out.
 */
export async function loadTrainingWindows(
  views: readonly FeatureView[],
  fromMs: number,
  toMs: number,
  validationDays: number,
): Promise<TrainingWindows> {
  const endMs = toMs + validationDays * DAY_MS;
  const flights = await loadFlightsParquet({ fromMs, toMs: endMs });
  const { departures, outcomes } = toFlightEvents(flights);
  // An outcome counts from knownAt; the offline computation keeps only records before the cut-off
  // bucketStart(t − allowedLatenessMs) of each view, as the online reader does (libs/features
  // time-buckets.ts readCutoffOf).
  const online: OnlineValues[] = computeOfflineRows(
    views,
    { events: departures, outcomes },
    departures.map((record) => ({ record, atMs: record.scheduledAt })),
  );
  const window = (from: number, to: number): LabelledWindow => {
    const rows: number[] = [];
    departures.forEach((departure, row) => {
      if (departure.scheduledAt >= from && departure.scheduledAt < to) rows.push(row);
    });
    const events: FlightDeparture[] = rows.map((row) => departures[row] as FlightDeparture);
    return {
      window: { from: iso(from), to: iso(to) },
      events,
      online: rows.map((row) => online[row] ?? {}),
      labels: Uint8Array.from(rows, (row) =>
        (outcomes[row]?.delayMinutes ?? 0) > DELAY_THRESHOLD_MINUTES ? 1 : 0,
      ),
    };
  };
  return { train: window(fromMs, toMs), validation: window(toMs, endMs) };
}
