import { resolveExecutionProviders } from './execution-providers';

describe('resolveExecutionProviders', () => {
  it('should keep cuda first when the GPU build is installed', () => {
    expect(resolveExecutionProviders(['cuda', 'cpu'], { cuda: true })).toEqual({
      providers: ['cuda', 'cpu'],
      notes: [],
    });
  });

  it('should drop cuda with one note when the GPU build is missing', () => {
    const resolved = resolveExecutionProviders(['cuda', 'cpu'], { cuda: false });
    expect(resolved.providers).toEqual(['cpu']);
    expect(resolved.notes).toHaveLength(1);
    expect(resolved.notes[0]).toMatch(/GPU build of onnxruntime-node is not installed/);
  });

  it('should always end with cpu and ignore repeats', () => {
    expect(resolveExecutionProviders(['cuda', 'cuda'], { cuda: true }).providers).toEqual(['cuda', 'cpu']);
  });
});
