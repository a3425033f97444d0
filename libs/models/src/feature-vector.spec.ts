import { fnv1a32, inputColumnNames } from './feature-columns';
import { FeatureVectorBuilder, preprocessNumeric } from './feature-vector';
import { fixtureManifest } from './manifest.fixture';
import type { ModelInput } from './manifest-types';
import { resolveRawFeatures } from './raw-features';

const input = fixtureManifest().inputs[0] as ModelInput;

describe('fnv1a32', () => {
  it('should match the published FNV-1a test vectors', () => {
    // http://www.isthe.com/chongo/src/fnv/test_fnv.c (FNV1A_32 column)
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
});

describe('preprocessNumeric', () => {
  it('should apply clip, log1p and standardize in order', () => {
    expect(preprocessNumeric(200, [{ op: 'clip', min: 0, max: 99 }, { op: 'log1p' }])).toBeCloseTo(
      Math.log(100),
      12,
    );
    expect(preprocessNumeric(7, [{ op: 'standardize', mean: 5, std: 4 }])).toBe(0.5);
  });
});

describe('FeatureVectorBuilder', () => {
  const builder = new FeatureVectorBuilder(input);

  it('should name every tensor column', () => {
    expect(inputColumnNames(input)).toEqual([
      'distance',
      'origin.mean_delay',
      'origin=ATL',
      'origin=ORD',
      'origin=DFW',
      'destination#0',
      'destination#1',
      'destination#2',
      'destination#3',
    ]);
    expect(builder.width).toBe(9);
  });

  it('should build row-major float32 rows from events and online features', () => {
    const events = [
      { distance: Math.expm1(6.5), origin: 'ORD', destination: 'LAX' },
      { distance: Math.expm1(6), origin: 'SEA', destination: 'ATL' },
    ];
    const online = [{ 'origin.mean_delay': 200 }, { 'origin.mean_delay': null }];
    const { tensor, issues, raw } = builder.build(events, online);
    expect(issues).toEqual([]);
    const lax = fnv1a32('LAX') % 4;
    const atl = fnv1a32('ATL') % 4;
    const expected = new Float32Array(18);
    expected.set([1, (120 - 10) / 20, 0, 1, 0], 0);
    expected[5 + lax] = 1;
    // Row 2: unknown origin gives zeros; the missing online value takes its default 0.
    expected.set([0, (0 - 10) / 20, 0, 0, 0], 9);
    expected[9 + 5 + atl] = 1;
    expect(Array.from(tensor)).toEqual(Array.from(expected).map((v, i) => (i === 0 ? tensor[0] : v)));
    expect(tensor[0]).toBeCloseTo(1, 5);
    expect(raw.columns.get('origin.mean_delay')).toEqual(Float64Array.of(200, 0));
  });

  it('should report, not throw, a missing value without a default and a value of the wrong type', () => {
    const events = [
      { origin: 'ATL', destination: 'ORD' },
      { distance: '100', origin: 7, destination: null },
    ];
    const { issues, tensor } = builder.build(events, [{}, {}]);
    expect(issues).toEqual([
      { row: 0, feature: 'distance', reason: 'missing', message: 'no value for distance' },
      {
        row: 1,
        feature: 'distance',
        reason: 'wrong-type',
        message: 'distance: expected a number, got string',
      },
      { row: 1, feature: 'origin', reason: 'wrong-type', message: 'origin: expected a string, got number' },
    ]);
    expect(tensor.every(Number.isFinite)).toBe(true);
  });
});

describe('resolveRawFeatures', () => {
  it('should read UTC calendar parts of an event time and dotted event fields', () => {
    const features = [
      {
        name: 'hour',
        type: 'numeric',
        source: { kind: 'event-time', field: 'at', part: 'hour-of-day' },
        preprocessing: [],
      },
      {
        name: 'dow',
        type: 'numeric',
        source: { kind: 'event-time', field: 'at', part: 'day-of-week' },
        preprocessing: [],
      },
      { name: 'miles', type: 'numeric', source: { kind: 'event', field: 'trip.miles' }, preprocessing: [] },
    ] as const;
    const at = Date.UTC(2001, 0, 6, 17, 45); // a Saturday
    const { raw, issues } = resolveRawFeatures(features, [
      { at, trip: { miles: 12 } },
      { at: new Date(at).toISOString(), trip: { miles: 3 } },
    ]);
    expect(issues).toEqual([]);
    expect(raw.columns.get('hour')).toEqual(Float64Array.of(17, 17));
    expect(raw.columns.get('dow')).toEqual(Float64Array.of(6, 6));
    expect(raw.columns.get('miles')).toEqual(Float64Array.of(12, 3));
  });
});
