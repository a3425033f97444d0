import type { ModelDeployment, ModelDeploymentAudit } from '@streamscore/contracts';
import { join } from 'node:path';
import { DeploymentCodec } from './deployment-codec';

const schemasDir = join(__dirname, '..', '..', '..', 'schemas');

const deployment: ModelDeployment = {
  model: 'm',
  active: { version: '1', uri: 'm/1', sha256: 'a'.repeat(64) },
  canary: { version: '2', uri: 'm/2', sha256: 'b'.repeat(64), share: 0.1 },
  shadow: null,
  updatedAt: 1_760_000_000_123,
  updatedBy: 'ana',
  reason: 'canary v2',
};

describe('DeploymentCodec', () => {
  const codec = new DeploymentCodec(schemasDir);

  it('should round-trip a deployment in single-object encoding', async () => {
    const bytes = codec.encodeDeployment(deployment);
    expect([bytes[0], bytes[1]]).toEqual([0xc3, 0x01]);
    const decoded = await codec.decodeDeployment(bytes);
    expect(decoded.ok && decoded.record).toStrictEqual(deployment);
  });

  it('should round-trip an audit record with and without a previous deployment', async () => {
    for (const previous of [null, { ...deployment, canary: null }]) {
      const audit: ModelDeploymentAudit = {
        auditId: 'id-1',
        action: 'START_CANARY',
        previous,
        current: deployment,
      };
      const decoded = await codec.decodeAudit(codec.encodeAudit(audit));
      expect(decoded.ok && decoded.record).toStrictEqual(audit);
    }
  });

  it('should report bytes of another schema as a failure, not throw', async () => {
    const audit = codec.encodeAudit({ auditId: 'x', action: 'OTHER', previous: null, current: deployment });
    const decoded = await codec.decodeDeployment(audit);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.code).toBe('UNKNOWN_SCHEMA');
  });
});
