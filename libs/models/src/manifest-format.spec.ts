import { fixtureManifest } from './manifest.fixture';
import { formatManifest } from './manifest-format';

describe('formatManifest', () => {
  it('should round-trip through JSON.parse', () => {
    expect(JSON.parse(formatManifest(fixtureManifest()))).toEqual(fixtureManifest());
  });

  it('should keep arrays of primitives on one line and indent objects', () => {
    expect(formatManifest({ a: [1, 2.5, 'x'], b: { c: [] }, d: [{ e: null }] })).toBe(
      '{\n  "a": [1,2.5,"x"],\n  "b": {\n    "c": []\n  },\n  "d": [\n    {\n      "e": null\n    }\n  ]\n}\n',
    );
  });
});
