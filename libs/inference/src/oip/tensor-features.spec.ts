import { encodeFeatures, type ModelInput, type RawFeatures } from '@streamscore/models';
import { fixtureManifest } from '@streamscore/models/testing';
import { rawValuesOfRow } from '../prediction-builder';
import { rawFeaturesOfTensor, rawNumeric } from './tensor-features';

function fixtureInput(): ModelInput {
  const [input] = fixtureManifest().inputs;
  if (!input) throw new Error('the fixture manifest has an input');
  return input;
}

/** Raw rows (distance, origin.mean_delay, origin, destination) as the stream would hold them. */
function raw(rows: [number, number, string | null, string | null][]): RawFeatures {
  return {
    rowCount: rows.length,
    columns: new Map<string, Float64Array | (string | null)[]>([
      ['distance', Float64Array.from(rows.map((r) => r[0]))],
      ['origin.mean_delay', Float64Array.from(rows.map((r) => r[1]))],
      ['origin', rows.map((r) => r[2])],
      ['destination', rows.map((r) => r[3])],
    ]),
  };
}

describe('rawFeaturesOfTensor', () => {
  it("should give back the raw values the stream's encoding turned into the tensor", () => {
    const input = fixtureInput();
    const tensor = encodeFeatures(
      input,
      raw([
        [740, 13, 'ORD', 'JFK'],
        [2475.5, -7.25, 'DFW', null],
      ]),
    );
    const back = rawFeaturesOfTensor(input, tensor, 2);
    expect(rawValuesOfRow(back, 0)).toEqual({
      features: { distance: 740, 'origin.mean_delay': 13 },
      categories: { origin: 'ORD' },
    });
    expect(rawValuesOfRow(back, 1)).toEqual({
      features: { distance: 2475.5, 'origin.mean_delay': -7.25 },
      categories: { origin: 'DFW' },
    });
  });

  it('should leave out what the encoding cannot give back: a hashed category, a value outside the vocabulary', () => {
    const input = fixtureInput();
    const back = rawFeaturesOfTensor(input, encodeFeatures(input, raw([[100, 0, 'SEA', 'JFK']])), 1);
    expect(rawValuesOfRow(back, 0).categories).toEqual({});
  });

  it('should keep a clipped value at its bound, and leave out a value no raw value encodes to', () => {
    const input = fixtureInput();
    const tensor = encodeFeatures(input, raw([[100, 500, 'ATL', null]]));
    expect(rawValuesOfRow(rawFeaturesOfTensor(input, tensor, 1), 0).features['origin.mean_delay']).toBe(120);
    // Standardized 9 is raw 190: beyond the clip at 120, so no raw value gives it.
    tensor[1] = 9;
    expect(rawValuesOfRow(rawFeaturesOfTensor(input, tensor, 1), 0).features).not.toHaveProperty(
      'origin.mean_delay',
    );
  });

  it('should read a one-hot block that is not one 1 among 0s as missing', () => {
    const input = fixtureInput();
    const tensor = encodeFeatures(
      input,
      raw([
        [100, 0, 'ATL', null],
        [100, 0, 'ATL', null],
      ]),
    );
    tensor.set([1, 1, 0], 2);
    tensor.set([0.5, 0, 0], 9 + 2);
    const back = rawFeaturesOfTensor(input, tensor, 2);
    expect([rawValuesOfRow(back, 0).categories, rawValuesOfRow(back, 1).categories]).toEqual([{}, {}]);
  });

  it('should refuse a tensor of another size (a bug: requests are checked against the signature first)', () => {
    expect(() => rawFeaturesOfTensor(fixtureInput(), new Float32Array(10), 1)).toThrow(RangeError);
  });
});

describe('rawNumeric', () => {
  it.each([
    [
      'zero, standardized (not a tiny number that encodes alike)',
      0,
      [{ op: 'standardize' as const, mean: 13.301416015997194, std: 4.88013433709766 }],
    ],
    [
      'hour of day, standardized',
      13,
      [{ op: 'standardize' as const, mean: 13.301416015997194, std: 4.88013433709766 }],
    ],
    [
      'a count, log1p then standardized',
      37,
      [{ op: 'log1p' as const }, { op: 'standardize' as const, mean: 2.47, std: 1.07 }],
    ],
    [
      'a mean delay, clipped then standardized',
      -12.5,
      [
        { op: 'clip' as const, min: -30, max: 240 },
        { op: 'standardize' as const, mean: 4.97, std: 15.84 },
      ],
    ],
    ['no step', 0.1, []],
  ])('should give back %s exactly when it encodes to its own float32', (_, value, steps) => {
    let encoded = value;
    for (const step of steps) {
      if (step.op === 'standardize') encoded = (encoded - step.mean) / step.std;
      else if (step.op === 'log1p') encoded = Math.log1p(encoded);
    }
    expect(rawNumeric(Math.fround(encoded), steps)).toBe(value);
  });

  it('should give NaN for a value that is not finite', () => {
    expect(rawNumeric(Number.POSITIVE_INFINITY, [])).toBeNaN();
  });
});
