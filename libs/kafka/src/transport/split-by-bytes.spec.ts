import { splitByBytes } from './split-by-bytes';

describe('splitByBytes', () => {
  const message = (bytes: number) => ({ topic: 't', key: null, value: Buffer.alloc(bytes) });

  it('should keep order and put at most maxBytes in each send', () => {
    const parts = splitByBytes([message(400), message(400), message(400)], 1_000);
    expect(parts.map((p) => p.length)).toEqual([2, 1]);
  });

  it('should send an oversized message alone rather than drop it', () => {
    expect(splitByBytes([message(5_000)], 1_000)).toHaveLength(1);
  });

  it('should return nothing for no outputs', () => {
    expect(splitByBytes([])).toEqual([]);
  });
});
