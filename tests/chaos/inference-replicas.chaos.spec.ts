import { endOffsetSum, groupBacklog, waitFor } from '@streamscore/testing';
import { chaosSize } from './support/chaos-size';
import {
  BROKER_DOWN_MS,
  restartBroker,
  startChaosStack,
  transportEvents,
  type ChaosStack,
} from './support/chaos-stack';
import { probeHealth } from './support/health-probe';
import {
  BAD_EVERY,
  expectedPerInput,
  metricSum,
  outcomesPerInput,
  PacedInput,
  prepareInference,
  printInferenceAccounting,
  produceInput,
  readInferenceOutcome,
} from './support/inference-run';
import {
  awaitEachAssigned,
  describeAssignment,
  groupState,
  replicaClientId,
  startReplica,
  startReplicas,
} from './support/replicas';

const SIZE = chaosSize();
/**
 * While the third replica starts, input flows in a twentieth of the run at a time, this far apart
 * (its start-up takes 5–15 s here; up to half the input is spent on it).
 */
const PACED_INTERVAL_MS = 1_500;

const client = (name: string): string => replicaClientId('inference', name);
/** Events [0, share × events), rounded down to whole BAD_EVERY slices. */
const upTo = (events: number, share: number): number => Math.floor((events * share) / BAD_EVERY) * BAD_EVERY;
const scored = (url: string): Promise<number> => metricSum(url, 'inference_rows_scored_total');

/**
 * Issue 18 item 2: two inference replicas in one group (per-partition transactions, each
 * partition's next owner fences the previous one), through a rebalance and a broker restart.
 * Every input record must end up with exactly one prediction or one dead letter, read
 * read_committed to the topics' ends.
 */
describe('chaos: two inference replicas through a rebalance and a broker restart', () => {
  let chaos: ChaosStack;

  beforeAll(async () => {
    chaos = await startChaosStack();
  }, 30 * 60_000);

  afterAll(async () => {
    await chaos.teardown();
  }, 120_000);

  it('rebalance: a third replica joins, then one of the first two is killed; one outcome per event', async () => {
    const started = Date.now();
    const run = await prepareInference(chaos, SIZE.inferenceEvents, {}, { produce: false });
    const input = run.catalogue.name('eventsValidated');
    const replicas = await startReplicas(chaos, 'inference', run.env, ['a', 'b']);
    const a = replicas.get('a');
    const b = replicas.get('b');
    if (!a || !b) throw new Error('replicas a and b did not start');
    const withTwo = await awaitEachAssigned(chaos.admin, run.groupId, input, [client('a'), client('b')]);

    // Input flows in, a slice every PACED_INTERVAL_MS, while the third replica starts and joins.
    const paced = new PacedInput(chaos, run, 0, upTo(run.events, 0.5), {
      step: Math.max(BAD_EVERY, upTo(run.events, 0.05)),
      intervalMs: PACED_INTERVAL_MS,
    });
    const joining = startReplica(chaos, 'inference', run.env, 'c');
    // Awaited below; a failed start must not count as unhandled meanwhile.
    joining.catch(() => undefined);
    // Its JoinGroup starts a rebalance; the first two learn of it at their next heartbeat, so a
    // fifth more input lands right then: they hold uncommitted input when partitions move.
    await waitFor(async () => (await groupState(chaos.admin, run.groupId)) !== 'Stable', {
      timeoutMs: 120_000,
      intervalMs: 20,
      description: 'replica c joining the group',
    });
    const joinFrom = await paced.stop();
    const joinTo = joinFrom + upTo(run.events, 0.2);
    await produceInput(chaos, run, joinFrom, joinTo);
    const atRebalance = {
      backlog: await groupBacklog(chaos.admin, run.groupId, input),
      state: await groupState(chaos.admin, run.groupId),
    };
    const c = await joining;
    const withThree = await awaitEachAssigned(chaos.admin, run.groupId, input, [
      client('a'),
      client('b'),
      client('c'),
    ]);

    // A fifth more, and once replica a is seen committing again, kill -9 it: input of its
    // partition is left uncommitted, for another replica once the group expires a's session.
    const killTo = joinTo + upTo(run.events, 0.2);
    const scoredBefore = await scored(a.url);
    await produceInput(chaos, run, joinTo, killTo);
    await waitFor(async () => (await scored(a.url)) > scoredBefore, { timeoutMs: 60_000, intervalMs: 10 });
    await a.stop('SIGKILL');
    const backlogAtKill = await groupBacklog(chaos.admin, run.groupId, input);
    // The rest (at least a tenth) after the kill.
    await produceInput(chaos, run, killTo, run.events);

    const outcome = await readInferenceOutcome(chaos.kafka, run);
    const afterKill = await awaitEachAssigned(chaos.admin, run.groupId, input, [client('b'), client('c')]);
    const perInput = await outcomesPerInput(chaos, run, outcome);
    const scoredByC = await scored(c.url);
    printInferenceAccounting('rebalance/inference-replicas', run, outcome, started, {
      withTwo: describeAssignment(withTwo),
      withThree: describeAssignment(withThree),
      afterKill: describeAssignment(afterKill),
      producedAtRebalance: joinTo,
      backlogAtRebalance: atRebalance.backlog,
      stateAfterBurst: atRebalance.state,
      producedAtKill: killTo,
      backlogAtKill,
      scoredByC,
      ...transportEvents([a, b, c]),
      size: SIZE.label,
    });
    // Partitions moved with input uncommitted, at the join and at the kill; the third replica
    // took a partition and scored.
    expect(atRebalance.backlog).toBeGreaterThan(0);
    expect(backlogAtKill).toBeGreaterThan(0);
    expect(scoredByC).toBeGreaterThan(0);
    expect(outcome).toMatchObject({
      predicted: run.events,
      deadLettered: run.bad,
      duplicates: 0,
      missing: 0,
    });
    expect(perInput).toEqual(expectedPerInput(run));
    expect([b.child.exitCode, c.child.exitCode]).toEqual([null, null]);
  }, 600_000);

  it('broker restart: both replicas reconnect by themselves; one outcome per event', async () => {
    const started = Date.now();
    const run = await prepareInference(chaos, SIZE.inferenceEvents, {}, { produce: false });
    const input = run.catalogue.name('eventsValidated');
    const both = [client('a'), client('b')];
    const replicas = [...(await startReplicas(chaos, 'inference', run.env, ['a', 'b'])).values()];
    // Both own partitions before any input, so both are scoring when the broker goes.
    const before = await awaitEachAssigned(chaos.admin, run.groupId, input, both);
    await produceInput(chaos, run, 0, run.events);
    await waitFor(
      async () => (await endOffsetSum(chaos.admin, run.catalogue.name('predictions'))) > run.events * 0.2,
      { timeoutMs: 180_000, intervalMs: 20 },
    );
    const { downSeconds, during } = await restartBroker(chaos, BROKER_DOWN_MS, () =>
      Promise.all(replicas.map((r) => probeHealth(r.url))),
    );

    const outcome = await readInferenceOutcome(chaos.kafka, run, 300_000);
    const after = await awaitEachAssigned(chaos.admin, run.groupId, input, both);
    const perInput = await outcomesPerInput(chaos, run, outcome);
    const readyAgain = await waitFor(
      async () => (await Promise.all(replicas.map((r) => probeHealth(r.url)))).every((s) => s.ready === 200),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const scoredBy = await Promise.all(replicas.map((r) => scored(r.url)));
    printInferenceAccounting('broker-restart/inference-replicas', run, outcome, started, {
      before: describeAssignment(before),
      after: describeAssignment(after),
      scoredBy: scoredBy.join('/'),
      brokerDownSeconds: downSeconds.toFixed(1),
      ...transportEvents(replicas),
      size: SIZE.label,
    });
    if (outcome.duplicates > 0 || outcome.missing > 0)
      // What the transport did over the fault, to tell where an extra or missing outcome came from.
      for (const [index, replica] of replicas.entries())
        process.stdout.write(
          `inference-${'ab'[index] ?? '?'} transport lines:\n${replica
            .output()
            .split('\n')
            .filter((l) => /retrying|given up|fenced|abandoned|crashed|assigned/.test(l))
            .join('\n')}\n`,
        );
    expect(during?.map((s) => s.ready)).toEqual([503, 503]);
    expect(readyAgain).toBe(true);
    expect(scoredBy.every((n) => n > 0)).toBe(true);
    expect(outcome).toMatchObject({
      predicted: run.events,
      deadLettered: run.bad,
      duplicates: 0,
      missing: 0,
    });
    expect(perInput).toEqual(expectedPerInput(run));
    expect(replicas.map((r) => r.child.exitCode)).toEqual([null, null]);
  }, 600_000);
});
