import { fixtureManifest, fixtureWith } from './manifest.fixture';
import { validateManifest, type ManifestIssue } from './manifest-validation';

function issuesOf(document: unknown): readonly ManifestIssue[] {
  const result = validateManifest(document);
  if (result.valid) throw new Error('expected the manifest to be refused');
  return result.issues;
}

describe('validateManifest', () => {
  it('should accept the fixture manifest', () => {
    expect(validateManifest(fixtureManifest())).toEqual({ valid: true, manifest: fixtureManifest() });
  });

  it('should refuse a field of the wrong type with its path', () => {
    expect(issuesOf(fixtureWith(['version'], '1'))).toContainEqual({
      path: '/version',
      message: 'must be integer',
    });
    expect(
      issuesOf(fixtureWith(['inputs', 0, 'features', 0, 'preprocessing', 1, 'mean'], 'six')),
    ).toContainEqual({
      path: '/inputs/0/features/0/preprocessing/1/mean',
      message: 'must be number',
    });
  });

  it('should refuse an unknown key', () => {
    expect(issuesOf(fixtureWith(['model', 'sha1'], 'abc'))).toEqual([
      { path: '/model/sha1', message: 'is not a known key' },
    ]);
  });

  it('should refuse a missing required field', () => {
    expect(issuesOf(fixtureWith(['outputs', 0, 'meaning'], undefined))).toEqual([
      { path: '/outputs/0/meaning', message: 'is required' },
    ]);
  });

  it('should refuse an unknown preprocessing op and name the allowed ones', () => {
    const issues = issuesOf(fixtureWith(['inputs', 0, 'features', 0, 'preprocessing', 0, 'op'], 'sqrt'));
    expect(issues[0]?.path).toBe('/inputs/0/features/0/preprocessing/0/op');
    expect(issues[0]?.message).toContain('"standardize"');
  });

  it('should refuse a feature without a source (a missing input mapping)', () => {
    expect(issuesOf(fixtureWith(['inputs', 0, 'features', 1, 'source'], undefined))).toContainEqual({
      path: '/inputs/0/features/1/source',
      message: 'is required',
    });
  });

  it('should refuse a tensor whose columns are not all mapped by features', () => {
    expect(issuesOf(fixtureWith(['inputs', 0, 'shape'], [-1, 10]))).toEqual([
      { path: '/inputs/0/shape/1', message: 'tensor features declares 10 columns but its features map 9' },
    ]);
  });

  it('should refuse a feature with no drift reference, and a reference of the wrong kind', () => {
    expect(issuesOf(fixtureWith(['drift', 'features', 'origin.mean_delay'], undefined))).toEqual([
      {
        path: '/drift/features/origin.mean_delay',
        message: 'missing drift reference for input feature origin.mean_delay',
      },
    ]);
    const wrongKind = { kind: 'categorical', categories: ['a'], proportions: [1] };
    expect(issuesOf(fixtureWith(['drift', 'features', 'distance'], wrongKind))).toEqual([
      { path: '/drift/features/distance/kind', message: 'is categorical but feature distance is numeric' },
    ]);
  });

  it('should refuse bins whose proportions do not match the edges or do not sum to 1', () => {
    const issues = issuesOf(fixtureWith(['drift', 'score', 'proportions'], [0.6, 0.3, 0.1]));
    expect(issues).toContainEqual({ path: '/drift/score/proportions', message: 'has 3 entries, expected 2' });
    expect(issuesOf(fixtureWith(['drift', 'score', 'proportions'], [0.6, 0.3]))).toEqual([
      { path: '/drift/score/proportions', message: 'sum to 0.8999999999999999, expected 1' },
    ]);
  });

  it('should refuse a badly formed sha256, a duplicate feature name and a reversed window', () => {
    expect(issuesOf(fixtureWith(['model', 'sha256'], 'XYZ'))[0]?.path).toBe('/model/sha256');
    expect(issuesOf(fixtureWith(['inputs', 0, 'features', 1, 'name'], 'distance'))).toContainEqual({
      path: '/inputs/0/features/1/name',
      message: 'duplicate feature name distance',
    });
    const reversed = { from: '2001-02-01T00:00:00Z', to: '2001-01-01T00:00:00Z' };
    expect(issuesOf(fixtureWith(['training', 'window'], reversed))).toEqual([
      { path: '/training/window', message: 'from must be before to' },
    ]);
  });
});
