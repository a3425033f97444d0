import type { DeploymentRole } from '@streamscore/deployments';

/**
 * The slot that serves an event (libs/deployments routeByShare decides it); SHADOW never serves,
 * it scores every event besides.
 */
export type ServingRole = DeploymentRole;

/** Row indices per serving role, ascending (input order is kept inside each group). */
export function rowsByRole(roles: readonly ServingRole[]): Record<ServingRole, number[]> {
  const groups: Record<ServingRole, number[]> = { ACTIVE: [], CANARY: [] };
  roles.forEach((role, row) => groups[role].push(row));
  return groups;
}
