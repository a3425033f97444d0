import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '@streamscore/models';
import { REPO_ROOT, runTsx } from './run-tsx';

interface Recomputed {
  readonly rows: number;
  readonly features: Record<string, { edges: number[]; proportions: number[] } | Record<string, number>>;
  readonly score: { proportionsWithManifestEdges: number[] };
}

const MODEL_DIRECTORY = join('models', 'flight-delay', '1');
const manifest = JSON.parse(
  readFileSync(join(REPO_ROOT, MODEL_DIRECTORY, 'manifest.json'), 'utf8'),
) as ModelManifest;

/**
 * Tolerances: feature edges and proportions are recomputed from the same raw values, so they agree
 * to rounding (1e-12). Score proportions use ONNX Runtime's float32 scores where the manifest used
 * the TypeScript forward pass; scores within 1e-6 of an edge may change bins: 1e-4.
 */
describe('flight-delay/1 drift references', () => {
  let recomputed: Recomputed;

  beforeAll(async () => {
    recomputed = JSON.parse(
      await runTsx(['demo/flights/model/recompute-drift-reference.ts', MODEL_DIRECTORY], 240_000),
    ) as Recomputed;
  }, 240_000);

  it('should be computed on every training row', () => {
    expect(recomputed.rows).toBe(manifest.training.rows);
  });

  it('should match bin edges and proportions recomputed independently from the training window', () => {
    const names = manifest.inputs[0]?.features.map((feature) => feature.name) ?? [];
    expect(Object.keys(recomputed.features).sort()).toEqual([...names].sort());
    for (const [name, reference] of Object.entries(manifest.drift.features)) {
      const mine = recomputed.features[name];
      if (reference.kind === 'numeric') {
        const bins = mine as { edges: number[]; proportions: number[] };
        expect(bins.edges.length).toBe(reference.edges.length);
        bins.edges.forEach((edge, i) => {
          expect(Math.abs(edge - (reference.edges[i] ?? NaN))).toBeLessThan(1e-12);
        });
        bins.proportions.forEach((p, i) => {
          expect(Math.abs(p - (reference.proportions[i] ?? NaN))).toBeLessThan(1e-12);
        });
        expect(reference.sample.length).toBe(manifest.drift.sampleSize);
      } else {
        const shares = mine as Record<string, number>;
        expect(Object.keys(shares).sort()).toEqual([...reference.categories].sort());
        reference.categories.forEach((category, i) => {
          expect(Math.abs((shares[category] ?? NaN) - (reference.proportions[i] ?? NaN))).toBeLessThan(1e-12);
        });
      }
    }
  });

  it('should match the score bins with the scores of onnxruntime-node', () => {
    const expected = manifest.drift.score.proportions;
    expect(recomputed.score.proportionsWithManifestEdges.length).toBe(expected.length);
    recomputed.score.proportionsWithManifestEdges.forEach((p, i) => {
      expect(Math.abs(p - (expected[i] ?? NaN))).toBeLessThan(1e-4);
    });
  });
});
