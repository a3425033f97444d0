import { routeRole } from '@streamscore/deployments';
import type { ModelDeployment } from '@streamscore/contracts';
import { routeByShare, routingKeyOf, rowsByRole } from './version-routing';

describe('routeByShare', () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `event-${i}`);

  it('should send about the share to the canary, and nothing at 0, everything at 1', () => {
    const canary = keys.filter((k) => routeByShare(0.1, k) === 'CANARY').length / keys.length;
    expect(canary).toBeGreaterThan(0.09);
    expect(canary).toBeLessThan(0.11);
    expect(keys.some((k) => routeByShare(0, k) === 'CANARY')).toBe(false);
    expect(keys.every((k) => routeByShare(1, k) === 'CANARY')).toBe(true);
  });

  it('should agree with the deployment library routeRole for every key', () => {
    const deployment = {
      model: 'm',
      active: { version: '1', uri: 'm/1', sha256: 'a' },
      canary: { version: '2', uri: 'm/2', sha256: 'b', share: 0.25 },
      shadow: null,
    } as ModelDeployment;
    expect(keys.every((k) => routeByShare(0.25, k) === routeRole(deployment, k))).toBe(true);
  });
});

describe('rowsByRole', () => {
  it('should group row indices by role in input order', () => {
    expect(rowsByRole(['ACTIVE', 'CANARY', 'ACTIVE'])).toEqual({ ACTIVE: [0, 2], CANARY: [1] });
  });
});

describe('routingKeyOf', () => {
  it('should read the field as text', () => {
    expect(routingKeyOf({ id: 'x' }, 'id')).toBe('x');
    expect(routingKeyOf({ id: 12 }, 'id')).toBe('12');
    expect(routingKeyOf({}, 'id')).toBe('');
  });
});
