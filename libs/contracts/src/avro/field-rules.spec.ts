import { join } from 'node:path';
import type { DecodeFailure, DecodeResult } from './decode-result';
import { createDecoder } from './decoder';
import { compileFieldRuleCheck, fieldRuleProblem, type FieldRules } from './field-rules';
import { loadSchemaHistory } from './schema-history';
import { encodeSingleObject } from './single-object';

const DEPARTURES = loadSchemaHistory(join(__dirname, '../../../../demo/flights/schemas/flight-departure'));
const NOW = Date.UTC(2026, 11, 5, 12);
const HOUR = 3_600_000;

const RULES: FieldRules = {
  fields: {
    eventId: { minLength: 1 },
    distance: { min: 0, max: 20_000 },
    origin: { minLength: 3, maxLength: 3 },
    carrier: { minLength: 2, maxLength: 3 },
  },
  timeField: 'scheduledAt',
  eventTimeWindow: { pastMs: 24 * HOUR, futureMs: HOUR },
};

const flight = {
  eventId: 'e-1',
  scheduledAt: NOW,
  origin: 'JFK',
  destination: 'LAX',
  distance: 2475,
  carrier: null as string | null,
};

function failure(result: DecodeResult<unknown>): DecodeFailure {
  if (result.ok) throw new Error('expected a failure');
  return result;
}

describe('compileFieldRuleCheck', () => {
  const check = compileFieldRuleCheck(RULES, () => NOW);

  it('should pass a record within every rule, boundaries included, and a null optional field', () => {
    expect(check(flight)).toBeUndefined();
    expect(check({ ...flight, distance: 0 })).toBeUndefined();
    expect(check({ ...flight, distance: 20_000 })).toBeUndefined();
    expect(check({ ...flight, carrier: 'UA' })).toBeUndefined();
    expect(check({ ...flight, carrier: 'UAL' })).toBeUndefined();
    expect(check({ ...flight, scheduledAt: NOW - 24 * HOUR })).toBeUndefined();
    expect(check({ ...flight, scheduledAt: NOW + HOUR })).toBeUndefined();
  });

  it('should refuse a number out of range, naming the value, the rule and the path', () => {
    expect(check({ ...flight, distance: -5 })).toEqual({
      ok: false,
      code: 'OUT_OF_RANGE',
      reason: 'distance is -5; the pipeline allows 0 to 20000',
      fields: ['distance'],
    });
    expect(check({ ...flight, distance: 20_000.5 })?.reason).toBe(
      'distance is 20000.5; the pipeline allows 0 to 20000',
    );
  });

  it('should refuse a string too short, too long or empty, counting characters (code points)', () => {
    expect(check({ ...flight, origin: 'JF' })?.reason).toBe(
      'origin is 2 characters long; the pipeline allows exactly 3 characters',
    );
    expect(check({ ...flight, origin: 'JFKX' })?.fields).toEqual(['origin']);
    expect(check({ ...flight, origin: '😀😀😀' })).toBeUndefined();
    expect(check({ ...flight, eventId: '' })?.reason).toBe(
      'eventId is empty; the pipeline allows at least 1 character',
    );
    expect(check({ ...flight, carrier: 'U' })?.fields).toEqual(['carrier']);
  });

  it.each([
    ['-1', -1],
    ['0', 0],
    ['year 0', Date.UTC(0, 0, 1)],
    ['year 10000', Date.UTC(10_000, 0, 1)],
    ['a day and a millisecond ago', NOW - 24 * HOUR - 1],
    ['an hour and a millisecond ahead', NOW + HOUR + 1],
  ])('should refuse an event time outside the window: %s', (_name, scheduledAt) => {
    const found = check({ ...flight, scheduledAt });
    expect(found?.code).toBe('OUT_OF_RANGE');
    expect(found?.fields).toEqual(['scheduledAt']);
    expect(found?.reason).toContain(`the pipeline allows ${new Date(NOW - 24 * HOUR).toISOString()}`);
    expect(found?.reason).toContain('(86400000 ms before to 3600000 ms after ingestion)');
  });

  it('should read the event time by the one rule (an ISO instant) and refuse one that is not a time', () => {
    const iso = compileFieldRuleCheck({ timeField: 't', eventTimeWindow: { futureMs: 0 } }, () => NOW);
    expect(iso({ t: new Date(NOW).toISOString() })).toBeUndefined();
    expect(iso({ t: new Date(NOW + 1).toISOString() })?.reason).toContain('(at most 0 ms after ingestion)');
    expect(iso({ t: '2026-12-05' })?.reason).toBe('t is not an event time');
  });

  it('should report every broken rule in one dead letter', () => {
    const found = check({ ...flight, eventId: '', distance: -1, origin: '', scheduledAt: 0 });
    expect(found?.fields).toEqual(['eventId', 'distance', 'origin', 'scheduledAt']);
    expect(found?.reason.split('; the pipeline allows').length).toBe(5);
  });

  it('should apply min and max alone', () => {
    const one = compileFieldRuleCheck({ fields: { n: { min: 1 }, m: { max: 2 }, s: { maxLength: 1 } } });
    expect(one({ n: 0, m: 2, s: 'a' })?.reason).toBe('n is 0; the pipeline allows at least 1');
    expect(one({ n: 1, m: 3, s: 'ab' })?.reason).toBe(
      'm is 3; the pipeline allows at most 2; s is 2 characters long; the pipeline allows at most 1 character',
    );
  });
});

describe('fieldRuleProblem', () => {
  const type = DEPARTURES.latest.type;

  it('should accept rules of the right kind on fields of the schema', () => {
    expect(fieldRuleProblem(type, RULES.fields ?? {})).toBeUndefined();
    expect(fieldRuleProblem(type, { scheduledAt: { min: 0 } })).toBeUndefined();
  });

  it('should name a field not in the schema and a rule of the wrong kind', () => {
    expect(fieldRuleProblem(type, { distnace: { min: 0 } })).toEqual([
      'distnace',
      "is not a field of the stream's schema streamscore.demo.flights.FlightDeparture",
    ]);
    expect(fieldRuleProblem(type, { origin: { min: 0 } })).toEqual([
      'origin',
      'has min/max but is not a number (string)',
    ]);
    expect(fieldRuleProblem(type, { distance: { maxLength: 3 } })?.[1]).toBe(
      'has minLength/maxLength but is not a string (double)',
    );
  });
});

describe('the decoder with rules', () => {
  const decoder = createDecoder(DEPARTURES, { rules: RULES, now: () => NOW });

  it('should refuse the same record from Avro and from JSON', async () => {
    const bad = { ...flight, distance: -5 };
    const fromAvro = failure(await decoder.decode(encodeSingleObject(DEPARTURES.latest.type, bad)));
    const fromJson = failure(decoder.fromJson(bad));
    expect(fromAvro).toEqual(fromJson);
    expect(fromJson.code).toBe('OUT_OF_RANGE');
    expect((await decoder.decode(encodeSingleObject(DEPARTURES.latest.type, flight))).ok).toBe(true);
  });

  it('should check nothing without rules', () => {
    expect(createDecoder(DEPARTURES).fromJson({ ...flight, distance: -5, eventId: '' }).ok).toBe(true);
  });
});
