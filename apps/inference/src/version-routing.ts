import { routingBucket } from '@streamscore/deployments';

/** The slot that serves an event; SHADOW never serves, it scores every event besides. */
export type ServingRole = 'ACTIVE' | 'CANARY';

/**
 * Deterministic canary routing, the deployment library's rule (routeRole): CANARY when the routing
 * key's bucket in [0, 1) is below the canary's share. The same key always lands in the same slot (a
 * replayed event is scored by the same version), on every replica, with no shared state.
 */
export function routeByShare(share: number, key: string): ServingRole {
  return routingBucket(key) < share ? 'CANARY' : 'ACTIVE';
}

/** The routing key of a decoded event: the configured field, as text. */
export function routingKeyOf(record: Readonly<Record<string, unknown>>, field: string): string {
  const value = record[field];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

/** Row indices per serving role, ascending (input order is kept inside each group). */
export function rowsByRole(roles: readonly ServingRole[]): Record<ServingRole, number[]> {
  const groups: Record<ServingRole, number[]> = { ACTIVE: [], CANARY: [] };
  roles.forEach((role, row) => groups[role].push(row));
  return groups;
}
