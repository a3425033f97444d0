import { loadFlightsJson, parseJsonDate, toFlightEvents, type Flight } from './data';
import { loadFlightFeatureViews } from './feature-views';

describe('flights data', () => {
  it('should read the JSON dates as UTC', () => {
    expect(parseJsonDate('2001/01/01 00:47')).toBe(Date.UTC(2001, 0, 1, 0, 47));
    expect(() => parseJsonDate('01/01/2001')).toThrow(RangeError);
  });

  it('should load the 20k cut of real flights in date order', () => {
    const flights = loadFlightsJson('20k');
    expect(flights).toHaveLength(20_000);
    expect(flights[0]).toEqual({
      scheduledAt: Date.UTC(2001, 0, 1, 0, 47),
      delayMinutes: 66,
      distance: 1750,
      origin: 'DTW',
      destination: 'LAS',
    });
    expect(
      flights.every((flight, i) => i === 0 || flight.scheduledAt >= (flights[i - 1]?.scheduledAt ?? 0)),
    ).toBe(true);
  });

  it('should make a departure and an outcome known at scheduledAt + delay, early ones earlier', () => {
    const at = Date.UTC(2001, 0, 2, 10, 0);
    const flights: Flight[] = [
      { scheduledAt: at, delayMinutes: 20, distance: 100, origin: 'AAA', destination: 'BBB' },
      { scheduledAt: at, delayMinutes: -5, distance: 100, origin: 'AAA', destination: 'BBB' },
    ];
    const { departures, outcomes } = toFlightEvents(flights);
    expect(departures.map((d) => d.eventId)).toEqual([
      '20010102T1000Z-AAA-BBB-0',
      '20010102T1000Z-AAA-BBB-1',
    ]);
    expect(departures[0]).toEqual({
      eventId: '20010102T1000Z-AAA-BBB-0',
      scheduledAt: at,
      origin: 'AAA',
      destination: 'BBB',
      distance: 100,
    });
    expect(outcomes[0]).toMatchObject({
      eventId: departures[0]?.eventId,
      delayMinutes: 20,
      knownAt: at + 20 * 60_000,
    });
    expect(outcomes[1]?.knownAt).toBe(at - 5 * 60_000);
  });

  it('should give each of 20k real flights a unique, repeatable id', () => {
    const flights = loadFlightsJson('20k');
    const first = toFlightEvents(flights).departures.map((d) => d.eventId);
    expect(new Set(first).size).toBe(flights.length);
    expect(toFlightEvents(flights).departures.map((d) => d.eventId)).toEqual(first);
  });

  it('should load valid feature views whose fields exist on the events', () => {
    const views = loadFlightFeatureViews();
    const { departures, outcomes } = toFlightEvents(loadFlightsJson('2k').slice(0, 1));
    const bySource: Record<string, object | undefined> = { events: departures[0], outcomes: outcomes[0] };
    for (const view of views) {
      const record = bySource[view.source];
      expect(record).toBeDefined();
      for (const field of [...view.entityKey, view.timeField, view.idField])
        expect(record).toHaveProperty(field);
      for (const aggregation of view.aggregations)
        if (aggregation.field !== undefined) expect(record).toHaveProperty(aggregation.field);
      // Inference reads with the departure: it must carry every entity field.
      for (const field of view.entityKey) expect(departures[0]).toHaveProperty(field);
    }
  });
});
