import { parseAt, parseBatch, parseQuery, QueryError } from './feature-query';

const NOW = 1_700_000_000_000;
const VIEWS = new Set(['origin_delay_1h', 'route_delay_24h']);

describe('parseAt', () => {
  it.each([
    ['978307200000', 978_307_200_000],
    [978_307_200_000, 978_307_200_000],
    ['2001-01-01T00:00:00Z', 978_307_200_000],
    ['2001-01-01T01:00:00.000+01:00', 978_307_200_000],
    [undefined, NOW],
    ['', NOW],
  ])('should read %p as %p', (raw, expected) => {
    expect(parseAt(raw, NOW)).toBe(expected);
  });

  it.each([
    'yesterday',
    '2001-01-01',
    '2001-01-01T00:00:00',
    '1e12',
    '12.5',
    '2001-13-45T99:00:00Z',
    1.5,
    {},
  ])('should reject %p with a QueryError', (raw) => {
    expect(() => parseAt(raw, NOW)).toThrow(QueryError);
  });
});

describe('parseQuery', () => {
  it('should name the unknown view and list the known ones', () => {
    expect(() => parseQuery({ view: 'nope', entity: 'JFK', at: '1' }, VIEWS, NOW)).toThrow(
      'view: unknown feature view "nope"; known: origin_delay_1h, route_delay_24h',
    );
  });

  it('should reject an empty entity', () => {
    expect(() => parseQuery({ view: 'origin_delay_1h', entity: '', at: '1' }, VIEWS, NOW)).toThrow(
      'entity: must be a non-empty string',
    );
  });
});

describe('parseBatch', () => {
  it('should parse every query in order', () => {
    expect(
      parseBatch(
        [
          { view: 'origin_delay_1h', entity: 'JFK', at: 5 },
          { view: 'route_delay_24h', entity: 'JFK|LAX', at: '2001-01-01T00:00:00Z' },
        ],
        VIEWS,
        10,
        NOW,
      ),
    ).toEqual([
      { view: 'origin_delay_1h', entity: 'JFK', atMs: 5 },
      { view: 'route_delay_24h', entity: 'JFK|LAX', atMs: 978_307_200_000 },
    ]);
  });

  it('should name the index of a bad query', () => {
    expect(() =>
      parseBatch([{ view: 'origin_delay_1h', entity: 'JFK', at: 'soon' }], VIEWS, 10, NOW),
    ).toThrow('[0].at: must be an integer epoch ms');
    expect(() => parseBatch([{ view: 'origin_delay_1h', entity: 'JFK', when: 1 }], VIEWS, 10, NOW)).toThrow(
      '[0].when: is not a known field',
    );
    expect(() => parseBatch([null], VIEWS, 10, NOW)).toThrow('[0]: must be an object');
  });

  it('should reject a non-array body and a batch over the limit', () => {
    expect(() => parseBatch({ view: 'x' }, VIEWS, 10, NOW)).toThrow('body must be a JSON array');
    expect(() => parseBatch(new Array(11).fill({}), VIEWS, 10, NOW)).toThrow('at most 10 queries');
  });
});
