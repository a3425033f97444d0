import type { FeatureQuery } from '@streamscore/features';
import { packQueries, transferablesOf, unpackQueries } from './feature-thread-protocol';

describe('packed feature queries', () => {
  const queries: FeatureQuery[] = [
    { view: 'origin', entity: 'ORD', atMs: 978_307_200_000 },
    { view: 'carrier', entity: 'AA', atMs: 978_307_200_000 },
    { view: 'origin', entity: 'ORD', atMs: 978_307_260_500.5 },
    { view: 'route', entity: 'ORD>LAX', atMs: Number.NaN },
    { view: 'carrier', entity: 'ORD', atMs: -1 },
  ];

  it('round-trips every query in order, times exactly', () => {
    const unpacked = unpackQueries(packQueries(queries));
    expect(unpacked.slice(0, 3)).toEqual(queries.slice(0, 3));
    expect(unpacked[3]?.atMs).toBeNaN();
    expect(unpacked[4]).toEqual(queries[4]);
  });

  it('sends each view and entity once', () => {
    const packed = packQueries(queries);
    expect(packed.views).toEqual(['origin', 'carrier', 'route']);
    expect(packed.entities).toEqual(['ORD', 'AA', 'ORD>LAX']);
    expect([...packed.viewOf]).toEqual([0, 1, 0, 2, 1]);
    expect([...packed.entityOf]).toEqual([0, 1, 0, 2, 0]);
  });

  it('survives a structured clone that moves its arrays', () => {
    const packed = packQueries(queries);
    const moved = structuredClone(packed, { transfer: transferablesOf(packed) });
    expect(packed.atMs.length).toBe(0); // detached: moved, not copied
    expect(unpackQueries(moved).slice(0, 3)).toEqual(queries.slice(0, 3));
  });

  it('packs an empty batch', () => {
    expect(unpackQueries(packQueries([]))).toEqual([]);
  });
});
