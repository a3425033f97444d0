import type { ModelDeployment } from '@streamscore/contracts';
import type { ModelManifest } from '@streamscore/models';
import { auditLine, deploymentLine, rolesOf, servingSummary, versionTable } from './deployment-lines';

const artifact = (version: string) => ({ version, uri: `m/${version}`, sha256: 'a'.repeat(64) });
const deployment: ModelDeployment = {
  model: 'm',
  active: artifact('1'),
  canary: { ...artifact('2'), share: 0.125 },
  shadow: artifact('3'),
  updatedAt: Date.UTC(2026, 0, 31, 8, 0, 12),
  updatedBy: 'ana',
  reason: 'try v2',
};

const manifest = (auc: number) =>
  ({
    createdAt: '2026-01-02T03:04:05.000Z',
    metrics: { validation: { auc, logLoss: 0.3845, rows: 1000 } },
  }) as unknown as ModelManifest;

describe('deployment lines', () => {
  it('should summarise what serves', () => {
    expect(servingSummary(deployment)).toBe('active 1, canary 2 (12.5%), shadow 3');
    expect(servingSummary(null)).toBe('no deployment');
    expect(deploymentLine(deployment)).toBe(
      'm: active 1, canary 2 (12.5%), shadow 3 (2026-01-31T08:00:12Z by ana: try v2)',
    );
  });

  it('should show an audit record as when, what, who, before -> after, why', () => {
    const line = auditLine({ auditId: 'x', action: 'START_CANARY', previous: null, current: deployment });
    expect(line).toBe(
      '2026-01-31T08:00:12Z START_CANARY by ana: no deployment -> active 1, canary 2 (12.5%), shadow 3 | try v2',
    );
  });

  it('should mark the roles of each version', () => {
    expect(rolesOf(deployment, '1')).toEqual(['active']);
    expect(rolesOf(deployment, '2')).toEqual(['canary 12.5%']);
    expect(rolesOf(deployment, '3')).toEqual(['shadow']);
    expect(rolesOf(deployment, '4')).toEqual([]);
    expect(rolesOf(undefined, '1')).toEqual([]);
  });

  it('should align the version table and show unreadable versions', () => {
    const lines = versionTable(
      [
        { version: '1', manifest: manifest(0.8) },
        { version: '2', manifest: manifest(0.81234) },
        { version: '10', problem: 'invalid manifest' },
      ],
      deployment,
    );
    expect(lines).toEqual([
      'VERSION  CREATED     AUC     LOG-LOSS  VAL-ROWS  ROLE',
      '1        2026-01-02  0.8000  0.3845    1000      active',
      '2        2026-01-02  0.8123  0.3845    1000      canary 12.5%',
      '10       invalid     -       -         -         - (invalid manifest)',
    ]);
  });
});
