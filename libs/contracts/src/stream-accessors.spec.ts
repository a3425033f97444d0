import { entityKeyOf, epochMsOf, eventIdOf, eventTimeOf, fieldText, isoInstantMs } from './stream-accessors';

describe('fieldText', () => {
  it.each<[string, unknown, string | undefined]>([
    ['a string as it is', 'JFK', 'JFK'],
    ['an empty string as it is', '', ''],
    ['a number', 12, '12'],
    ['a bigint', 12n, '12'],
    ['a boolean', false, 'false'],
    ['a record as JSON', { a: 1 }, '{"a":1}'],
    ['null as undefined', null, undefined],
    ['a missing value as undefined', undefined, undefined],
  ])('should read %s', (_, value, text) => {
    expect(fieldText(value)).toBe(text);
  });
});

describe('entityKeyOf', () => {
  it('should be the single key field as text', () => {
    expect(entityKeyOf({ origin: 'JFK', other: 'x' }, ['origin'])).toBe('JFK');
    expect(entityKeyOf({ site: 42 }, ['site'])).toBe('42');
  });

  it('should join composite keys with | in the order of the key fields', () => {
    expect(entityKeyOf({ origin: 'JFK', destination: 'LAX' }, ['origin', 'destination'])).toBe('JFK|LAX');
    expect(entityKeyOf({ origin: 'JFK', destination: 'LAX' }, ['destination', 'origin'])).toBe('LAX|JFK');
  });

  it('should read a missing or null key field as empty, keeping its place', () => {
    expect(entityKeyOf({ destination: 'LAX' }, ['origin', 'destination'])).toBe('|LAX');
    expect(entityKeyOf({ origin: null }, ['origin'])).toBe('');
    expect(entityKeyOf({}, ['a', 'b'])).toBe('|');
  });

  it('should read typed records without an index signature', () => {
    interface Departure {
      readonly origin: string;
    }
    const departure: Departure = { origin: 'ORD' };
    expect(entityKeyOf(departure, ['origin'])).toBe('ORD');
  });
});

describe('eventIdOf', () => {
  it('should read the id field as text', () => {
    expect(eventIdOf({ eventId: 'e-1' }, 'eventId')).toBe('e-1');
    expect(eventIdOf({ eventId: 7 }, 'eventId')).toBe('7');
    expect(eventIdOf({ eventId: 7n }, 'eventId')).toBe('7');
  });

  it('should be undefined when the id is missing, null or empty', () => {
    expect(eventIdOf({}, 'eventId')).toBeUndefined();
    expect(eventIdOf({ eventId: null }, 'eventId')).toBeUndefined();
    expect(eventIdOf({ eventId: '' }, 'eventId')).toBeUndefined();
  });
});

describe('eventTimeOf', () => {
  it.each<[string, unknown, number]>([
    ['epoch ms', 978688800000, 978688800000],
    ['zero (the epoch)', 0, 0],
    ['negative epoch ms (before 1970)', -86_400_000, -86_400_000],
    ['a bigint (an Avro long read as bigint)', 978688800000n, 978688800000],
    ['a Date (Avro timestamp-millis)', new Date(978688800000), 978688800000],
    ['an ISO instant in UTC', '2001-01-05T10:00:00Z', 978688800000],
    ['an ISO instant without seconds', '2001-01-05T10:00Z', 978688800000],
    ['an ISO instant with milliseconds', '1970-01-01T00:00:00.010Z', 10],
    ['an ISO instant with nanoseconds (cut to ms)', '2001-01-05T10:00:00.123456789Z', 978688800123],
    ['an ISO instant with a positive offset', '2001-01-05T15:30:00+05:30', 978688800000],
    ['an ISO instant with a negative offset', '2001-01-05T05:00:00-05:00', 978688800000],
    ['an ISO instant on a leap day', '2000-02-29T00:00:00Z', 951782400000],
  ])('should accept %s', (_, value, ms) => {
    expect(eventTimeOf({ at: value }, 'at')).toBe(ms);
  });

  it.each<[string, unknown]>([
    ['a missing field', undefined],
    ['null', null],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['an invalid Date', new Date(Number.NaN)],
    ['an ISO date-time without an offset (local time)', '2001-01-05T10:00:00'],
    ['a bare ISO date', '2001-01-05'],
    ['epoch ms as text', '978688800000'],
    ['free text Date.parse would read', 'Jan 5 2001 10:00 GMT'],
    ['an impossible day (February 30)', '2001-02-30T10:00:00Z'],
    ['an impossible month', '2001-13-05T10:00:00Z'],
    ['hour 24', '2001-01-05T24:00:00Z'],
    ['a lower-case separator', '2001-01-05t10:00:00z'],
    ['an empty string', ''],
    ['a boolean', true],
    ['a record', { ms: 1 }],
  ])('should reject %s', (_, value) => {
    expect(eventTimeOf({ at: value }, 'at')).toBeUndefined();
  });

  it('should read the named field only', () => {
    expect(eventTimeOf({ scheduledAt: 5, knownAt: 9 }, 'knownAt')).toBe(9);
    expect(eventTimeOf({ scheduledAt: 5 }, 'knownAt')).toBeUndefined();
  });
});

describe('epochMsOf', () => {
  it('should apply the event-time rule to a value', () => {
    expect(epochMsOf(5)).toBe(5);
    expect(epochMsOf(new Date(7))).toBe(7);
    expect(epochMsOf('1970-01-01T00:00:00.010Z')).toBe(10);
    expect(epochMsOf('1970-01-01')).toBeUndefined();
    expect(epochMsOf(null)).toBeUndefined();
  });
});

describe('isoInstantMs', () => {
  it('should read an instant in its offset and refuse rolled-over fields', () => {
    expect(isoInstantMs('2001-01-05T23:30:00-01:00')).toBe(Date.UTC(2001, 0, 6, 0, 30));
    expect(isoInstantMs('2001-12-31T23:59:59.999Z')).toBe(Date.UTC(2001, 11, 31, 23, 59, 59, 999));
    expect(isoInstantMs('2001-04-31T00:00:00Z')).toBeUndefined();
    expect(isoInstantMs('2001-01-05T10:60:00Z')).toBeUndefined();
  });
});
