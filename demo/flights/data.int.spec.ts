import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * hyparquet is ESM-only and Jest's VM cannot import ESM here, so the parquet loader runs in a
 * child tsx process, the way the trainer runs it.
 */
const script = `
import { loadFlightsParquet, toFlightEvents } from './demo/flights/data';
void (async () => {
  const flights = await loadFlightsParquet({ fromMs: Date.UTC(2001, 0, 1), toMs: Date.UTC(2001, 0, 4) });
  const { departures, outcomes } = toFlightEvents(flights);
  const ids = new Set(departures.map((d) => d.eventId));
  const inRange = flights.every((f) => f.scheduledAt >= Date.UTC(2001, 0, 1) && f.scheduledAt < Date.UTC(2001, 0, 4));
  const numeric = flights.every((f) => Number.isFinite(f.delayMinutes) && Number.isFinite(f.distance));
  process.stdout.write(JSON.stringify({ count: flights.length, unique: ids.size, inRange, numeric, first: flights[0], outcome: outcomes[0] }));
})();
`;

describe('loadFlightsParquet (3M-row parquet, child tsx process)', () => {
  it('should read the flights of a date range with ids unique within it', () => {
    const root = join(__dirname, '..', '..');
    const output = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), ['-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const result = JSON.parse(output) as {
      count: number;
      unique: number;
      inRange: boolean;
      numeric: boolean;
      first: { scheduledAt: number; origin: string };
      outcome: { knownAt: number; scheduledAt: number; delayMinutes: number };
    };
    expect(result.count).toBeGreaterThan(40_000);
    expect(result.unique).toBe(result.count);
    expect(result.inRange).toBe(true);
    expect(result.numeric).toBe(true);
    expect(result.first).toMatchObject({ scheduledAt: Date.UTC(2001, 0, 1, 0, 1), origin: 'LAS' });
    expect(result.outcome.knownAt).toBe(result.outcome.scheduledAt + result.outcome.delayMinutes * 60_000);
  }, 60_000);
});
