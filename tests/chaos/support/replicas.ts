import { AssignerProtocol, type Admin } from 'kafkajs';
import { waitFor, type ServiceName, type ServiceProcess } from '@streamscore/testing';
import type { ChaosStack } from './chaos-stack';

/**
 * Replicas of one service in one consumer group, started side by side. Each gets its own
 * KAFKA_CLIENT_ID (`<service>-<name>`), which is how the group description tells them apart.
 */
export async function startReplicas(
  chaos: ChaosStack,
  service: ServiceName,
  env: Record<string, string>,
  names: readonly string[],
): Promise<Map<string, ServiceProcess>> {
  const started = await Promise.all(
    names.map(async (name) => [name, await startReplica(chaos, service, env, name)] as const),
  );
  return new Map(started);
}

export function startReplica(
  chaos: ChaosStack,
  service: ServiceName,
  env: Record<string, string>,
  name: string,
): Promise<ServiceProcess> {
  return chaos.start(service, { ...env, KAFKA_CLIENT_ID: replicaClientId(service, name) });
}

export function replicaClientId(service: ServiceName, name: string): string {
  return `${service}-${name}`;
}

/**
 * The group's state, e.g. 'Stable', or 'PreparingRebalance' from a member's JoinGroup until every
 * member has rejoined.
 */
export async function groupState(admin: Admin, groupId: string): Promise<string> {
  const { groups } = await admin.describeGroups([groupId]);
  return groups[0]?.state ?? 'Unknown';
}

/**
 * Per member client id, the partitions of `topic` it owns, once the group is stable (an empty map
 * while it rebalances or has no members).
 */
export async function groupAssignment(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<string, number[]>> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0];
  if (group?.state !== 'Stable') return new Map();
  return new Map(
    group.members.map((m) => [
      m.clientId,
      AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [],
    ]),
  );
}

/**
 * Resolves with the assignment once the group is stable with exactly `clientIds` as members and
 * each of them owns a partition of `topic`.
 */
export async function awaitEachAssigned(
  admin: Admin,
  groupId: string,
  topic: string,
  clientIds: readonly string[],
  timeoutMs = 120_000,
): Promise<Map<string, number[]>> {
  return waitFor(
    async () => {
      const assignment = await groupAssignment(admin, groupId, topic);
      const members = [...assignment.keys()].sort();
      if (members.join() !== [...clientIds].sort().join())
        throw new Error(`members ${members.join(', ') || 'none (rebalancing)'}`);
      const idle = clientIds.filter((id) => (assignment.get(id) ?? []).length === 0);
      if (idle.length > 0) throw new Error(`no partition yet for ${idle.join(', ')}`);
      return assignment;
    },
    {
      timeoutMs,
      intervalMs: 100,
      description: `${groupId} stable with ${clientIds.join(', ')} each owning a partition of ${topic}`,
    },
  );
}

/** "inference-a:0,2;inference-b:1", for accounting lines. */
export function describeAssignment(assignment: ReadonlyMap<string, readonly number[]>): string {
  return [...assignment]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, partitions]) => `${id}:${partitions.join(',')}`)
    .join(';');
}
