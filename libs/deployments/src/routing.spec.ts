import type { ModelDeployment } from '@streamscore/contracts';
import { routeRole, routingBucket } from './routing';

function deployment(share: number | null): ModelDeployment {
  return {
    model: 'm',
    active: { version: '1', uri: 'm/1', sha256: 'a'.repeat(64) },
    canary: share === null ? null : { version: '2', uri: 'm/2', sha256: 'b'.repeat(64), share },
    shadow: null,
    updatedAt: 0,
    updatedBy: 'test',
    reason: 'test',
  };
}

const KEY_FAMILIES: Record<string, (i: number) => string> = {
  'event-<n>': (i) => `event-${i}`,
  '<n>': (i) => String(i),
  'flight ids': (i) => `20010131T${String(i % 1440).padStart(4, '0')}Z-ORD-LAX-${Math.floor(i / 1440)}`,
  'non-ASCII': (i) => `évènement-${i}-東京`,
};

function canaryShare(share: number, key: (i: number) => string, count = 10_000): number {
  const routed = deployment(share);
  let canary = 0;
  for (let i = 0; i < count; i += 1) if (routeRole(routed, key(i)) === 'CANARY') canary += 1;
  return canary / count;
}

describe('routingBucket', () => {
  it('should be in [0, 1) and the same for the same key', () => {
    for (const key of ['', 'a', 'event-1', '東京', 'x'.repeat(1000)]) {
      const bucket = routingBucket(key);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(1);
      expect(routingBucket(key)).toBe(bucket);
    }
  });

  it('should differ between keys that differ in one character', () => {
    expect(routingBucket('event-1')).not.toBe(routingBucket('event-2'));
  });

  it('should be pinned: replicas and replays must agree across releases', () => {
    // Changing the hash moves traffic between versions mid-canary: these values must not change.
    expect(routingBucket('')).toBe(0.6689221884589642);
    expect(routingBucket('event-1')).toBe(0.10769223584793508);
  });
});

describe('routeRole', () => {
  it.each(Object.entries(KEY_FAMILIES))(
    'should send between 8%% and 12%% of 10,000 %s keys to a 10%% canary',
    (_, key) => {
      const share = canaryShare(0.1, key);
      expect(share).toBeGreaterThanOrEqual(0.08);
      expect(share).toBeLessThanOrEqual(0.12);
    },
  );

  it('should route the same key the same way every time', () => {
    const routed = deployment(0.3);
    for (let i = 0; i < 1000; i += 1) {
      const first = routeRole(routed, `event-${i}`);
      expect(routeRole(routed, `event-${i}`)).toBe(first);
      expect(routeRole(structuredClone(routed), `event-${i}`)).toBe(first);
    }
  });

  it('should send nothing to a canary with share 0 and everything to share 1', () => {
    expect(canaryShare(0, KEY_FAMILIES['event-<n>']!)).toBe(0);
    expect(canaryShare(1, KEY_FAMILIES['event-<n>']!)).toBe(1);
  });

  it('should send everything to ACTIVE without a canary', () => {
    const routed = deployment(null);
    for (let i = 0; i < 1000; i += 1) expect(routeRole(routed, `event-${i}`)).toBe('ACTIVE');
  });

  it('should only move keys towards the canary when its share grows', () => {
    for (let i = 0; i < 2000; i += 1) {
      const key = `event-${i}`;
      if (routeRole(deployment(0.1), key) === 'CANARY')
        expect(routeRole(deployment(0.5), key)).toBe('CANARY');
    }
  });
});
