import { routeByShare, routingBucket } from './routing';

const KEY_FAMILIES: Record<string, (i: number) => string> = {
  'event-<n>': (i) => `event-${i}`,
  '<n>': (i) => String(i),
  'flight ids': (i) => `20010131T${String(i % 1440).padStart(4, '0')}Z-ORD-LAX-${Math.floor(i / 1440)}`,
  'non-ASCII': (i) => `évènement-${i}-東京`,
};

function canaryShare(share: number, key: (i: number) => string, count = 10_000): number {
  let canary = 0;
  for (let i = 0; i < count; i += 1) if (routeByShare(share, key(i)) === 'CANARY') canary += 1;
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

describe('routeByShare', () => {
  it.each(Object.entries(KEY_FAMILIES))(
    'should send between 8%% and 12%% of 10,000 %s keys to a 10%% canary',
    (_, key) => {
      const share = canaryShare(0.1, key);
      expect(share).toBeGreaterThanOrEqual(0.08);
      expect(share).toBeLessThanOrEqual(0.12);
    },
  );

  it.each([0.01, 0.25, 0.5, 0.9])('should send about %p of 20,000 keys to the canary', (share) => {
    expect(Math.abs(canaryShare(share, KEY_FAMILIES['event-<n>']!, 20_000) - share)).toBeLessThan(0.015);
  });

  it('should route the same key the same way every time', () => {
    for (let i = 0; i < 1000; i += 1) {
      const first = routeByShare(0.3, `event-${i}`);
      expect(routeByShare(0.3, `event-${i}`)).toBe(first);
      expect(first).toBe(routingBucket(`event-${i}`) < 0.3 ? 'CANARY' : 'ACTIVE');
    }
  });

  it('should send nothing to a canary with share 0 and everything to share 1', () => {
    for (const key of Object.values(KEY_FAMILIES)) {
      expect(canaryShare(0, key)).toBe(0);
      expect(canaryShare(1, key)).toBe(1);
    }
    expect(routeByShare(0, '')).toBe('ACTIVE');
    expect(routeByShare(1, '')).toBe('CANARY');
  });

  it('should only move keys towards the canary when its share grows', () => {
    for (let i = 0; i < 2000; i += 1) {
      const key = `event-${i}`;
      if (routeByShare(0.1, key) === 'CANARY') expect(routeByShare(0.5, key)).toBe('CANARY');
    }
  });

  it('should be pinned: a replayed event keeps its version across releases', () => {
    // routingBucket('event-1') is 0.1077 (pinned above): canary at 11%, active at 10%.
    expect(routeByShare(0.11, 'event-1')).toBe('CANARY');
    expect(routeByShare(0.1, 'event-1')).toBe('ACTIVE');
  });
});
