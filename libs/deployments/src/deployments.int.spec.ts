import type { ModelDeployment } from '@streamscore/contracts';
import { ModelError } from '@streamscore/models';
import {
  createTestTopics,
  deleteTestTopics,
  randomName,
  testCatalogue,
  testKafka,
  waitFor,
} from '@streamscore/testing';
import type { Admin, Kafka } from 'kafkajs';
import { join } from 'node:path';
import { DeploymentError } from './deployment-errors';
import { DeploymentWatcher } from './deployment-watcher';
import { DeploymentWriter } from './deployment-writer';
import { makeTestRepository, TEST_MODEL, TestVersions, type TestRepository } from './test-repository.fixture';

const schemasDir = join(__dirname, '..', '..', '..', 'schemas');

/**
 * The control plane on the real Kafka: a writer changes the desired deployment in transactions, a
 * watcher (what each inference replica runs) follows the compacted topic and sees every change.
 */
describe('model deployments on the real Kafka', () => {
  const catalogue = testCatalogue({ prefix: 'deployments' });
  const topics = [catalogue.spec('modelDeployments'), catalogue.spec('modelDeploymentsAudit')];
  let kafka: Kafka;
  let admin: Admin;
  let repository: TestRepository;
  let writer: DeploymentWriter;
  let watcher: DeploymentWatcher;
  const seen: ModelDeployment[] = [];
  const startedAt = Date.now();

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, topics);
    repository = await makeTestRepository();
    writer = new DeploymentWriter({
      kafka,
      deploymentsTopic: catalogue.name('modelDeployments'),
      auditTopic: catalogue.name('modelDeploymentsAudit'),
      repositoryRoot: repository.root,
      schemasDir,
      transactionalIdPrefix: randomName('deployments-txn'),
    });
    watcher = new DeploymentWatcher({
      kafka,
      topic: catalogue.name('modelDeployments'),
      model: TEST_MODEL,
      schemasDir,
      onChange: (deployment) => seen.push(deployment),
    });
    await watcher.start();
  }, 60_000);

  afterAll(async () => {
    await watcher.stop();
    await writer.disconnect();
    await deleteTestTopics(admin, topics);
    await admin.disconnect();
    await repository.remove();
  });

  /** High watermarks count every record and transaction marker, committed or aborted. */
  async function endOffsets(): Promise<string[]> {
    const ends = await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic.name)));
    return ends.flat().map((partition) => partition.high);
  }

  it('should start with no deployment on an empty topic', () => {
    expect(watcher.current()).toBeUndefined();
  });

  it('should deploy v1, then a 10% canary of v2, and the watcher should see both in order', async () => {
    const deployed = await writer.deploy(TEST_MODEL, TestVersions.good, 'ana', 'first release');
    expect(deployed.active.version).toBe('1');
    expect(deployed.canary).toBeNull();
    const canary = await writer.startCanary(TEST_MODEL, TestVersions.goodToo, 0.1, 'bo', 'try v2 on 10%');
    expect(canary.active.version).toBe('1');
    expect(canary.canary).toMatchObject({ version: '2', uri: 'flight-delay/2', share: 0.1 });

    await waitFor(() => seen.length >= 2, { timeoutMs: 15_000, description: 'two changes seen' });
    expect(seen).toEqual([deployed, canary]);
    expect(watcher.current()).toEqual(canary);
    expect(await writer.current(TEST_MODEL)).toEqual(canary);
  }, 60_000);

  it('should refuse a corrupt version before writing anything, naming the problem', async () => {
    const before = await endOffsets();
    const corrupt = writer.startCanary(TEST_MODEL, TestVersions.corruptBytes, 0.1, 'bo', 'corrupt');
    await expect(corrupt).rejects.toThrow(ModelError);
    await expect(corrupt).rejects.toThrow(/sha256 mismatch for .*flight-delay\/3\/model\.onnx/);
    const notOnnx = writer.deploy(TEST_MODEL, TestVersions.notOnnx, 'bo', 'not onnx');
    await expect(notOnnx).rejects.toThrow(/flight-delay\/4\/model\.onnx is not an ONNX model/);
    await expect(writer.stopShadow(TEST_MODEL, 'bo', 'none there')).rejects.toThrow(DeploymentError);

    expect(await endOffsets()).toEqual(before);
    expect(seen).toHaveLength(2);
    expect(watcher.current()?.canary?.version).toBe('2');
  }, 60_000);

  it('should roll back to the record before the canary', async () => {
    const [deployed] = seen;
    const back = await writer.rollback(TEST_MODEL, 'cy', 'v2 canary is worse');
    expect(back).toEqual({
      ...deployed,
      updatedAt: back.updatedAt,
      updatedBy: 'cy',
      reason: 'v2 canary is worse',
    });
    expect(back.canary).toBeNull();
    await waitFor(() => seen.length >= 3, { timeoutMs: 15_000, description: 'rollback seen' });
    expect(seen[2]).toEqual(back);
    expect(watcher.current()).toEqual(back);
  }, 60_000);

  it('should list the audit trail with who, when and why', async () => {
    const history = await writer.history(TEST_MODEL);
    expect(history.map((audit) => audit.action)).toEqual(['ACTIVATE', 'START_CANARY', 'ROLLBACK']);
    expect(history.map((audit) => [audit.current.updatedBy, audit.current.reason])).toEqual([
      ['ana', 'first release'],
      ['bo', 'try v2 on 10%'],
      ['cy', 'v2 canary is worse'],
    ]);
    expect(history[0]?.previous).toBeNull();
    expect(history[2]?.previous).toEqual(seen[1]);
    for (const audit of history) {
      expect(audit.current.updatedAt).toBeGreaterThanOrEqual(startedAt);
      expect(audit.current.updatedAt).toBeLessThanOrEqual(Date.now());
    }
    expect(new Set(history.map((audit) => audit.auditId)).size).toBe(3);
  }, 60_000);

  it('should give a watcher started later the latest record, without replaying the backlog', async () => {
    const replayed: ModelDeployment[] = [];
    const late = new DeploymentWatcher({
      kafka,
      topic: catalogue.name('modelDeployments'),
      model: TEST_MODEL,
      schemasDir,
      onChange: (deployment) => replayed.push(deployment),
    });
    await late.start();
    try {
      expect(late.current()).toEqual(seen[2]);
      expect(replayed).toEqual([]);
      const shadow = await writer.startShadow(TEST_MODEL, TestVersions.goodToo, 'dee', 'shadow v2');
      await waitFor(() => replayed.length === 1, { timeoutMs: 15_000, description: 'shadow seen' });
      expect(replayed[0]).toEqual(shadow);
    } finally {
      await late.stop();
    }
  }, 60_000);

  it('should make each change visible to a new read_committed reader as soon as it returns', async () => {
    // Without waiting for the commit markers, a read right after a change often trails it.
    for (let round = 0; round < 6; round++) {
      const change =
        round % 2 === 0
          ? await writer.stopShadow(TEST_MODEL, 'eve', `round ${round}`)
          : await writer.startShadow(TEST_MODEL, TestVersions.goodToo, 'eve', `round ${round}`);
      expect(await writer.current(TEST_MODEL)).toEqual(change);
      const history = await writer.history(TEST_MODEL);
      expect(history.at(-1)?.current).toEqual(change);
    }
  }, 120_000);
});
