/**
 * The names one demo run owns, and which leftovers belong to which run. Pure: the I/O that lists
 * and deletes them is in cleanup.ts. A run id is `demo-<UTC start, YYYYMMDDHHMMSS>`; it prefixes
 * the run's topics (`<runId>.<suffix>`, TopicCatalogue), its consumer groups
 * (`<runId>-<role>`, plus groups the services derive from those) and its Redis keys
 * (`ss:<runId>:…`, the services' REDIS_KEY_PREFIX).
 */
export const DEMO_RUN_PREFIX = 'demo-';

/** The consumer-group roles of the four services (STREAMSCORE_GROUP_ID = `<runId>-<role>`). */
export const GROUP_ROLES = ['ingestion', 'features', 'inference', 'drift'] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];

/** The services' default REDIS_KEY_PREFIX; the demo nests each run under it. */
const REDIS_ROOT = 'ss:';

/** `demo-YYYYMMDDHHMMSS`, optionally `-<suffix>` (the tests add one so their runs never collide). */
const RUN_ID = /^demo-(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:-[a-z0-9-]+)?$/;

/** The id of a run started at `now`: the start second, UTC. */
export function newRunId(now: Date): string {
  return `${DEMO_RUN_PREFIX}${now.toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
}

/** When the run started (ms since the epoch), read back from its id; undefined if not a run id. */
export function runStartedAt(runId: string): number | undefined {
  const match = RUN_ID.exec(runId);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

export const serviceGroupId = (runId: string, role: GroupRole): string => `${runId}-${role}`;

export const redisKeyPrefix = (runId: string): string => `${REDIS_ROOT}${runId}:`;

/** SCAN MATCH pattern for every Redis key of the run (glob characters in the id escaped). */
export const redisKeyPattern = (runId: string): string => `${escapeGlob(redisKeyPrefix(runId))}*`;

/** SCAN MATCH pattern for the keys of every demo run. */
export const allRunsKeyPattern = (): string => `${REDIS_ROOT}${DEMO_RUN_PREFIX}*`;

export const isRunTopic = (runId: string, topic: string): boolean => topic.startsWith(`${runId}.`);

/**
 * A service group of the run, or one a service derives from it: the drift monitor's history
 * reader (`<runId>-drift.history.<pid>.<ms>`), a features rebuild (`<runId>-features-rebuild-<ms>`).
 * Anchored on the roles, so run `demo-x` does not claim the groups of a run `demo-x-y`.
 */
export function isRunGroup(runId: string, groupId: string): boolean {
  return GROUP_ROLES.some((role) => {
    const base = serviceGroupId(runId, role);
    return groupId === base || groupId.startsWith(`${base}.`) || groupId.startsWith(`${base}-`);
  });
}

export const isDemoRunId = (id: string): boolean => RUN_ID.test(id);

/**
 * The run a catalogue topic belongs to (`<runId>.<suffix>`); undefined for any other topic, also
 * for a `demo-…` topic whose prefix is not a run id this runner makes (not ours to delete).
 */
export function runIdOfTopic(topic: string): string | undefined {
  const dot = topic.indexOf('.');
  return dot > 0 && isDemoRunId(topic.slice(0, dot)) ? topic.slice(0, dot) : undefined;
}

/** The run a Redis key belongs to (`ss:<runId>:…`); undefined for any other key. */
export function runIdOfRedisKey(key: string): string | undefined {
  const end = key.indexOf(':', REDIS_ROOT.length);
  if (!key.startsWith(REDIS_ROOT) || end < 0) return undefined;
  const runId = key.slice(REDIS_ROOT.length, end);
  return isDemoRunId(runId) ? runId : undefined;
}

/** What --clean-old knows about one run: its groups and how many members each has now. */
export interface RunActivity {
  readonly runId: string;
  readonly groups: readonly { readonly groupId: string; readonly members: number }[];
}

/** active: a group has members; young: may still be starting; foreign: not an id this runner makes. */
export type KeepReason = 'active' | 'young' | 'foreign';

export interface IdleRunChoice {
  readonly idle: string[];
  readonly kept: { runId: string; reason: KeepReason }[];
}

/**
 * Which runs nobody is using. A run with a member in any of its groups has services running
 * (mid-replay, restarting one service, or --keep-running). A run younger than `minAgeMs` may still
 * be starting: its topics exist before its services have joined their groups.
 */
export function chooseIdleRuns(runs: readonly RunActivity[], nowMs: number, minAgeMs: number): IdleRunChoice {
  const choice: IdleRunChoice = { idle: [], kept: [] };
  for (const run of [...runs].sort((a, b) => a.runId.localeCompare(b.runId))) {
    const startedAt = runStartedAt(run.runId);
    const keep = (reason: KeepReason): number => choice.kept.push({ runId: run.runId, reason });
    if (startedAt === undefined) keep('foreign');
    else if (run.groups.some((group) => group.members > 0)) keep('active');
    else if (nowMs - startedAt < minAgeMs) keep('young');
    else choice.idle.push(run.runId);
  }
  return choice;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
