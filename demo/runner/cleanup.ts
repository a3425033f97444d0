import type Redis from 'ioredis';
import { KafkaJSDeleteGroupsError, type Admin, type Kafka } from 'kafkajs';
import {
  allRunsKeyPattern,
  chooseIdleRuns,
  isRunGroup,
  isRunTopic,
  redisKeyPattern,
  runIdOfRedisKey,
  runIdOfTopic,
  type IdleRunChoice,
  type KeepReason,
  type RunActivity,
} from './run-namespace';

/**
 * Deletes what demo runs leave on the broker and in Redis (names in run-namespace.ts). Only the
 * run's own names, never a whole database: the Redis and the broker may be shared.
 */
export interface CleanupClients {
  /** Connected. */
  readonly admin: Admin;
  readonly redis: Redis;
}

export interface RemovedRun {
  readonly runId: string;
  readonly topics: number;
  readonly groups: number;
  readonly redisKeys: number;
}

export interface OldRunsCleanup {
  readonly removed: RemovedRun[];
  readonly kept: { runId: string; reason: KeepReason }[];
}

/** Runs started this recently may still be starting (topics made, groups not joined yet). */
export const MIN_IDLE_AGE_MS = 10 * 60_000;
/** Keys per SCAN step, and so per UNLINK. */
const SCAN_COUNT = 1_000;
/** How long the broker may take to delete a run's topics before answering. */
const DELETE_TOPICS_TIMEOUT_MS = 30_000;
/** Groups per DescribeGroups request. */
const DESCRIBE_BATCH = 100;

/** Connects an admin and a Redis client for `work`, and closes both after it. */
export async function withCleanupClients<T>(
  kafka: Kafka,
  connectRedis: () => Redis,
  work: (clients: CleanupClients) => Promise<T>,
): Promise<T> {
  const admin = kafka.admin();
  const redis = connectRedis();
  try {
    await admin.connect();
    return await work({ admin, redis });
  } finally {
    await admin.disconnect();
    redis.disconnect();
  }
}

/** Deletes one run's consumer groups, Redis keys and topics (whatever of them exists). */
export async function removeRun(clients: CleanupClients, runId: string): Promise<RemovedRun> {
  const [topics, groupIds] = await Promise.all([clients.admin.listTopics(), listGroupIds(clients.admin)]);
  return removeListed(clients, runId, topics, groupIds);
}

/**
 * The demo runs on the broker or in Redis, split into the idle ones and the ones kept (with
 * why). Reads only.
 */
export async function surveyRuns(
  clients: CleanupClients,
  nowMs: number,
  minAgeMs = MIN_IDLE_AGE_MS,
): Promise<IdleRunChoice> {
  const [topics, groupIds, keyRuns] = await Promise.all([
    clients.admin.listTopics(),
    listGroupIds(clients.admin),
    redisRunIds(clients.redis),
  ]);
  const fromTopics = topics.map(runIdOfTopic).filter((runId): runId is string => runId !== undefined);
  const runIds = [...new Set([...fromTopics, ...keyRuns])];
  const activity = await describeActivity(clients.admin, runIds, groupIds);
  return chooseIdleRuns(activity, nowMs, minAgeMs);
}

/** --clean-old: removes every idle demo run (see chooseIdleRuns), one run at a time. */
export async function removeIdleRuns(clients: CleanupClients, nowMs: number): Promise<OldRunsCleanup> {
  const { idle, kept } = await surveyRuns(clients, nowMs);
  if (idle.length === 0) return { removed: [], kept };
  const [topics, groupIds] = await Promise.all([clients.admin.listTopics(), listGroupIds(clients.admin)]);
  const removed: RemovedRun[] = [];
  for (const runId of idle) removed.push(await removeListed(clients, runId, topics, groupIds));
  return { removed, kept };
}

export const describeRemoved = (run: RemovedRun): string =>
  `removed ${run.topics} topics, ${run.groups} groups, ${run.redisKeys} Redis keys of ${run.runId}`;

/**
 * Topics last: they are how a later --clean-old finds the run, so a clean-up that fails half way
 * is found and finished then.
 */
async function removeListed(
  clients: CleanupClients,
  runId: string,
  topicNames: readonly string[],
  groupIds: readonly string[],
): Promise<RemovedRun> {
  const groups = await deleteGroups(
    clients.admin,
    groupIds.filter((groupId) => isRunGroup(runId, groupId)),
  );
  const redisKeys = await unlinkMatching(clients.redis, redisKeyPattern(runId));
  const topics = topicNames.filter((topic) => isRunTopic(runId, topic));
  if (topics.length > 0) await clients.admin.deleteTopics({ topics, timeout: DELETE_TOPICS_TIMEOUT_MS });
  return { runId, topics: topics.length, groups, redisKeys };
}

async function listGroupIds(admin: Admin): Promise<string[]> {
  return (await admin.listGroups()).groups.map((group) => group.groupId);
}

/** Deletes the groups and returns how many it deleted; one gone already is no error. */
async function deleteGroups(admin: Admin, groupIds: readonly string[]): Promise<number> {
  if (groupIds.length === 0) return 0;
  try {
    await admin.deleteGroups([...groupIds]);
    return groupIds.length;
  } catch (error) {
    if (!(error instanceof KafkaJSDeleteGroupsError)) throw error;
    const failed = error.groups.filter((group) => group.error?.type !== 'GROUP_ID_NOT_FOUND');
    if (failed.length > 0) {
      const which = failed.map(
        (group) => `${group.groupId} (${group.error?.type ?? String(group.errorCode)})`,
      );
      throw new Error(`could not delete consumer groups ${which.join(', ')}`, { cause: error });
    }
    return groupIds.length - error.groups.length;
  }
}

/** SCAN + UNLINK (deleting while scanning is safe: SCAN still returns every key that stays). */
async function unlinkMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}

/** The runs with keys in Redis: also ones whose topics are gone already. */
async function redisRunIds(redis: Redis): Promise<string[]> {
  const runIds = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', allRunsKeyPattern(), 'COUNT', SCAN_COUNT);
    cursor = next;
    for (const key of keys) {
      const runId = runIdOfRedisKey(key);
      if (runId !== undefined) runIds.add(runId);
    }
  } while (cursor !== '0');
  return [...runIds];
}

async function describeActivity(
  admin: Admin,
  runIds: readonly string[],
  groupIds: readonly string[],
): Promise<RunActivity[]> {
  const owned = groupIds.filter((groupId) => runIds.some((runId) => isRunGroup(runId, groupId)));
  const members = new Map<string, number>();
  for (let i = 0; i < owned.length; i += DESCRIBE_BATCH) {
    const { groups } = await admin.describeGroups(owned.slice(i, i + DESCRIBE_BATCH));
    for (const group of groups) members.set(group.groupId, group.members.length);
  }
  return runIds.map((runId) => ({
    runId,
    groups: owned
      .filter((groupId) => isRunGroup(runId, groupId))
      .map((groupId) => ({ groupId, members: members.get(groupId) ?? 0 })),
  }));
}
