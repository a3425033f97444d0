import type { ModelDeployment, ModelDeploymentAudit } from '@streamscore/contracts';
import type { ModelManifest } from '@streamscore/models';

/** ISO second, UTC: 2026-01-31T08:00:12Z. */
function at(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

/** What serves: `active 1, canary 2 (10%), shadow none`. */
export function servingSummary(deployment: ModelDeployment | null | undefined): string {
  if (!deployment) return 'no deployment';
  const canary = deployment.canary
    ? `${deployment.canary.version} (${percent(deployment.canary.share)})`
    : 'none';
  return `active ${deployment.active.version}, canary ${canary}, shadow ${deployment.shadow?.version ?? 'none'}`;
}

/** The line printed after a change: what serves now, and who changed it why. */
export function deploymentLine(deployment: ModelDeployment): string {
  return (
    `${deployment.model}: ${servingSummary(deployment)} ` +
    `(${at(deployment.updatedAt)} by ${deployment.updatedBy}: ${deployment.reason})`
  );
}

/** One audit record: when, what, who, before → after, why. */
export function auditLine(audit: ModelDeploymentAudit): string {
  const current = audit.current;
  return (
    `${at(current.updatedAt)} ${audit.action.padEnd(12)} by ${current.updatedBy}: ` +
    `${servingSummary(audit.previous)} -> ${servingSummary(current)} | ${current.reason}`
  );
}

/** The roles a version has in a deployment: `active`, `canary 10%`, `shadow`, or none. */
export function rolesOf(deployment: ModelDeployment | undefined, version: string): string[] {
  if (!deployment) return [];
  const roles: string[] = [];
  if (deployment.active.version === version) roles.push('active');
  if (deployment.canary?.version === version) roles.push(`canary ${percent(deployment.canary.share)}`);
  if (deployment.shadow?.version === version) roles.push('shadow');
  return roles;
}

/** A version in the repository: its manifest, or why it cannot be read. */
export type RepositoryVersion =
  | { readonly version: string; readonly manifest: ModelManifest }
  | { readonly version: string; readonly problem: string };

export const VERSION_TABLE_HEADER = ['VERSION', 'CREATED', 'AUC', 'LOG-LOSS', 'VAL-ROWS', 'ROLE'] as const;

function cells(row: RepositoryVersion, deployment: ModelDeployment | undefined): string[] {
  const role = rolesOf(deployment, row.version).join(', ') || '-';
  if ('problem' in row) return [row.version, 'invalid', '-', '-', '-', `${role} (${row.problem})`];
  const validation = row.manifest.metrics.validation;
  return [
    row.version,
    row.manifest.createdAt.slice(0, 10),
    validation.auc.toFixed(4),
    validation.logLoss.toFixed(4),
    String(validation.rows),
    role,
  ];
}

/** The versions of one model as aligned columns, marked with their roles in `deployment`. */
export function versionTable(
  versions: readonly RepositoryVersion[],
  deployment: ModelDeployment | undefined,
): string[] {
  const rows = [[...VERSION_TABLE_HEADER], ...versions.map((row) => cells(row, deployment))];
  const widths = VERSION_TABLE_HEADER.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  '),
  );
}
