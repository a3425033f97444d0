/**
 * Writes the first flights of the 3M-row parquet file as JSON, for flight-stream.ts when a test
 * asks for more flights than the 20k JSON cut holds. Whole UTC days from 2001-01-01 (the file is
 * sorted by date), up to the end of the day of the <count>th flight: the flights after the
 * first <count> stay in as feature sources, as the JSON cut keeps all 20k whatever the size.
 * Runs under tsx because hyparquet is ESM-only (Jest cannot load it).
 *
 *   npx tsx demo/flights/testing/write-first-flights.ts <out.json> <count>
 */
import { writeFileSync } from 'node:fs';
import { loadFlightsParquet, type Flight } from '../data';

const FIRST_DAY_MS = Date.UTC(2001, 0, 1);
const LAST_DAY_MS = Date.UTC(2001, 6, 1);
const DAY_MS = 86_400_000;
/** Below the file's average (3M flights over 181 days), so the first guess rarely falls short. */
const FLIGHTS_PER_DAY_GUESS = 14_000;

async function firstFlights(count: number): Promise<Flight[]> {
  let days = Math.ceil(count / FLIGHTS_PER_DAY_GUESS);
  for (;;) {
    const toMs = Math.min(FIRST_DAY_MS + days * DAY_MS, LAST_DAY_MS);
    const flights = await loadFlightsParquet({ fromMs: FIRST_DAY_MS, toMs });
    const lastScored = flights[count - 1];
    if (lastScored !== undefined) {
      const dayEndMs =
        FIRST_DAY_MS + (Math.floor((lastScored.scheduledAt - FIRST_DAY_MS) / DAY_MS) + 1) * DAY_MS;
      return flights.filter((flight) => flight.scheduledAt < dayEndMs);
    }
    if (toMs === LAST_DAY_MS)
      throw new RangeError(`the parquet file has ${flights.length} flights, asked ${count}`);
    days *= 2;
  }
}

async function main(out: string, count: number): Promise<void> {
  const flights = await firstFlights(count);
  writeFileSync(out, JSON.stringify(flights));
  const last = flights[flights.length - 1]?.scheduledAt ?? FIRST_DAY_MS;
  process.stdout.write(JSON.stringify({ flights: flights.length, until: new Date(last).toISOString() }));
}

const [out, countText = ''] = process.argv.slice(2);
const count = Number(countText);
if (out === undefined || !Number.isInteger(count) || count <= 0) {
  process.stderr.write('usage: write-first-flights.ts <out.json> <count>\n');
  process.exitCode = 2;
} else {
  main(out, count).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
