import { TopicCatalogue } from '@streamscore/contracts';
import {
  chooseIdleRuns,
  GROUP_ROLES,
  isRunGroup,
  isRunTopic,
  newRunId,
  redisKeyPattern,
  redisKeyPrefix,
  runIdOfRedisKey,
  runIdOfTopic,
  runStartedAt,
  serviceGroupId,
} from './run-namespace';

const RUN = 'demo-20240305140709';
const MINUTE = 60_000;

describe('run-namespace', () => {
  describe('newRunId / runStartedAt', () => {
    it('should name a run by its start second (UTC) and read that time back', () => {
      const start = new Date(Date.UTC(2024, 2, 5, 14, 7, 9, 450));
      expect(newRunId(start)).toBe(RUN);
      expect(runStartedAt(RUN)).toBe(Date.UTC(2024, 2, 5, 14, 7, 9));
      expect(runStartedAt(`${RUN}-test-1a2b`)).toBe(Date.UTC(2024, 2, 5, 14, 7, 9));
    });

    it('should not take other names for run ids', () => {
      for (const id of ['demo-2024', 'demo-orders', `${RUN}x`, `x${RUN}`, `${RUN}.events`])
        expect(runStartedAt(id)).toBeUndefined();
    });
  });

  describe('isRunTopic / runIdOfTopic', () => {
    it('should own every topic of the catalogue under the run id, and nothing of another run', () => {
      const names = new TopicCatalogue({ prefix: RUN }).all().map((topic) => topic.name);
      for (const name of names) {
        expect(isRunTopic(RUN, name)).toBe(true);
        expect(runIdOfTopic(name)).toBe(RUN);
        expect(isRunTopic(`${RUN}-a`, name)).toBe(false);
      }
      expect(isRunTopic(RUN, `${RUN}-a.events`)).toBe(false);
    });

    it('should leave demo-like topics that this runner does not make', () => {
      for (const topic of ['demo-orders.v1', 'demo-20240305140709', 'events', 'test-demo-20240305140709.x'])
        expect(runIdOfTopic(topic)).toBeUndefined();
    });
  });

  describe('isRunGroup', () => {
    it("should own the services' groups and the groups they derive from them", () => {
      const owned = [
        ...GROUP_ROLES.map((role) => serviceGroupId(RUN, role)),
        `${RUN}-drift.history.4242.1709647629000`,
        `${RUN}-features-rebuild-1709647629000`,
      ];
      for (const groupId of owned) expect(isRunGroup(RUN, groupId)).toBe(true);
    });

    it("should not own a longer run id's groups, nor unrelated ones", () => {
      for (const groupId of [`${RUN}-a-ingestion`, `${RUN}-ingestionx`, 'read-topic-abc', RUN])
        expect(isRunGroup(RUN, groupId)).toBe(false);
    });
  });

  describe('Redis names', () => {
    it("should match only the run's keys", () => {
      expect(redisKeyPrefix(RUN)).toBe(`ss:${RUN}:`);
      expect(redisKeyPattern(RUN)).toBe(`ss:${RUN}:*`);
      expect(runIdOfRedisKey(`ss:${RUN}:fv:origin_delay_3h:meta`)).toBe(RUN);
      expect(runIdOfRedisKey(`ss:fv:origin_delay_3h:meta`)).toBeUndefined();
      expect(runIdOfRedisKey(`ss:${RUN}`)).toBeUndefined();
    });

    it('should escape glob characters of the id', () => {
      expect(redisKeyPattern('demo-[x]*?')).toBe('ss:demo-\\[x\\]\\*\\?:*');
    });
  });

  describe('chooseIdleRuns', () => {
    const now = Date.UTC(2024, 2, 5, 15, 0, 0);
    const idle = (runId: string) => ({ runId, groups: [{ groupId: `${runId}-ingestion`, members: 0 }] });

    it('should keep runs with a group member and runs that may still be starting, and pick the rest', () => {
      const active = 'demo-20240305120000';
      const young = newRunId(new Date(now - 5 * MINUTE));
      const old = 'demo-20240305120500';
      const noGroups = 'demo-20240301000000';
      const choice = chooseIdleRuns(
        [
          {
            runId: active,
            groups: [
              { groupId: `${active}-ingestion`, members: 0 },
              { groupId: `${active}-drift`, members: 1 },
            ],
          },
          idle(young),
          idle(old),
          { runId: noGroups, groups: [] },
          idle('demo-orders'),
        ],
        now,
        10 * MINUTE,
      );
      expect(choice.idle).toEqual([noGroups, old]);
      expect(choice.kept).toEqual([
        { runId: active, reason: 'active' },
        { runId: young, reason: 'young' },
        { runId: 'demo-orders', reason: 'foreign' },
      ]);
    });
  });
});
