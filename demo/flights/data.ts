/**
 * The demo's real data: US domestic flights, January–June 2001, shipped by the npm package
 * vega-datasets (see docs/features.md and /work/shared/data.md). Each flight becomes a departure
 * event (known before the flight leaves) and an outcome (its delay, known at scheduledAt + delay).
 * Field names follow demo/flights/schemas/flight-departure/v1.avsc and flight-outcome/v1.avsc.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface Flight {
  /** Scheduled departure, epoch ms UTC. */
  readonly scheduledAt: number;
  /** Departure delay in minutes; negative when early. */
  readonly delayMinutes: number;
  readonly distance: number;
  readonly origin: string;
  readonly destination: string;
}

export interface FlightDeparture {
  readonly eventId: string;
  readonly scheduledAt: number;
  readonly origin: string;
  readonly destination: string;
  readonly distance: number;
}

export interface FlightOutcome {
  readonly eventId: string;
  readonly scheduledAt: number;
  readonly origin: string;
  readonly destination: string;
  readonly delayMinutes: number;
  /** When the delay became known: scheduledAt + delayMinutes (earlier for an early departure). */
  readonly knownAt: number;
}

/** vega-datasets exports only its entry point (build/index.js); the data sits beside build/. */
export const FLIGHTS_DATA_DIR = join(dirname(require.resolve('vega-datasets')), '..', 'data');

/** The JSON cuts with date, origin and destination (flights-200k.json lacks them). */
export type FlightsJsonCut = '2k' | '5k' | '10k' | '20k';

interface JsonFlight {
  readonly date: string;
  readonly delay: number;
  readonly distance: number;
  readonly origin: string;
  readonly destination: string;
}

const JSON_DATE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})$/;

/** The JSON cuts write 'YYYY/MM/DD HH:mm'; the parquet file stores the same instants as UTC. */
export function parseJsonDate(text: string): number {
  const match = JSON_DATE.exec(text);
  if (match === null) throw new RangeError(`flight date ${JSON.stringify(text)} is not 'YYYY/MM/DD HH:mm'`);
  const [, year, month, day, hour, minute] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(year, month - 1, day, hour, minute);
}

/** A small JSON cut (2k … 20k flights, January–March 2001), in file order. */
export function loadFlightsJson(cut: FlightsJsonCut): Flight[] {
  const rows = JSON.parse(
    readFileSync(join(FLIGHTS_DATA_DIR, `flights-${cut}.json`), 'utf8'),
  ) as JsonFlight[];
  return rows.map((row) => ({
    scheduledAt: parseJsonDate(row.date),
    delayMinutes: row.delay,
    distance: row.distance,
    origin: row.origin,
    destination: row.destination,
  }));
}

export interface DateRange {
  /** Inclusive, epoch ms UTC. */
  readonly fromMs: number;
  /** Exclusive, epoch ms UTC. */
  readonly toMs: number;
}

interface ParquetFlightRow {
  readonly date: Date;
  readonly delay: bigint | number;
  readonly distance: bigint | number;
  readonly origin: string;
  readonly destination: string;
}

/**
 * Flights scheduled in [fromMs, toMs) from the 3M-row parquet file (ZSTD, read in pure JS by
 * hyparquet). The file is sorted by date, so only the row groups whose date statistics overlap
 * the range are decoded. hyparquet is ESM-only: this works under Node/tsx, not inside Jest's VM.
 */
export async function loadFlightsParquet(range: DateRange): Promise<Flight[]> {
  const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const bytes = await readFile(join(FLIGHTS_DATA_DIR, 'flights-3m.parquet'));
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = parquetMetadata(file);
  const flights: Flight[] = [];
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const statistics = group.columns.find((column) => column.meta_data?.path_in_schema.join('.') === 'date')
      ?.meta_data?.statistics;
    const min = statistics?.min_value;
    const max = statistics?.max_value;
    const overlaps =
      !(min instanceof Date && max instanceof Date) ||
      (max.getTime() >= range.fromMs && min.getTime() < range.toMs);
    if (overlaps) {
      const rows = (await parquetReadObjects({
        file,
        compressors,
        rowStart,
        rowEnd,
      })) as unknown as ParquetFlightRow[];
      for (const row of rows) {
        const scheduledAt = row.date.getTime();
        if (scheduledAt < range.fromMs || scheduledAt >= range.toMs) continue;
        flights.push({
          scheduledAt,
          delayMinutes: Number(row.delay),
          distance: Number(row.distance),
          origin: row.origin,
          destination: row.destination,
        });
      }
    }
    rowStart = rowEnd;
  }
  return flights;
}

function compactUtc(epochMs: number): string {
  // 2001-01-01T00:47:00.000Z → 20010101T0047Z
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

/**
 * Departure and outcome per flight. The eventId is `<yyyymmddThhmmZ>-<origin>-<destination>-<n>`,
 * n counting earlier flights of the same route and minute in the input: stable for a given
 * source (the parquet file is sorted by date, so a date-range filter never splits a minute), and
 * unique because the other parts plus n identify the row.
 */
export function toFlightEvents(flights: readonly Flight[]): {
  departures: FlightDeparture[];
  outcomes: FlightOutcome[];
} {
  const seen = new Map<string, number>();
  const departures: FlightDeparture[] = [];
  const outcomes: FlightOutcome[] = [];
  for (const flight of flights) {
    const stem = `${compactUtc(flight.scheduledAt)}-${flight.origin}-${flight.destination}`;
    const n = seen.get(stem) ?? 0;
    seen.set(stem, n + 1);
    const eventId = `${stem}-${n}`;
    const { scheduledAt, origin, destination } = flight;
    departures.push({ eventId, scheduledAt, origin, destination, distance: flight.distance });
    outcomes.push({
      eventId,
      scheduledAt,
      origin,
      destination,
      delayMinutes: flight.delayMinutes,
      knownAt: scheduledAt + flight.delayMinutes * 60_000,
    });
  }
  return { departures, outcomes };
}
