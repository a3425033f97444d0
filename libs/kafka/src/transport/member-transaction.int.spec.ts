import type { Admin, Kafka } from 'kafkajs';
import {
  createTestTopics,
  deleteTestTopics,
  randomName,
  readTopicToEnd,
  testKafka,
} from '@streamscore/testing';
import { MemberTransaction } from './delivery';
import { connectTransactional } from './transactional-producers';

/**
 * A delivery of the member's one producer (the drift monitor's) whose commit reached the broker but
 * whose answer was lost: before sending it again, `landed` asks the group's committed offsets, on
 * the real Kafka. The lost answer is played by a second producer with the same transactional id
 * committing the same offsets, as the first attempt's transaction would have.
 */
describe('MemberTransaction.landed on the real Kafka', () => {
  const input = randomName('member-in');
  const output = randomName('member-out');
  const groupId = randomName('member-group');
  const transactionalId = `${groupId}.member`;
  let kafka: Kafka;
  let admin: Admin;
  let member: MemberTransaction;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, [
      { name: input, partitions: 2 },
      { name: output, partitions: 1 },
    ]);
    member = new MemberTransaction(kafka, groupId, transactionalId, 30_000);
    await member.connect();
  }, 60_000);

  afterAll(async () => {
    await member.close();
    await deleteTestTopics(admin, [{ name: input }, { name: output }]);
    await admin.disconnect();
  });

  const at = (partition: number, offset: string) => [{ topic: input, partition, offset }];

  it('should say a transaction that committed landed, and not one that did not', async () => {
    await member.deliver(input, 0, [{ topic: output, key: 'a', value: Buffer.from('first') }], at(0, '5'));

    // The retried delivery's first attempt: its commit landed, its answer never came back.
    const lost = await connectTransactional(kafka, transactionalId, 30_000);
    const transaction = await lost.transaction();
    await transaction.send({ topic: output, messages: [{ key: 'b', value: 'second' }] });
    await transaction.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic: input, partitions: [{ partition: 0, offset: '9' }] }],
    });
    await transaction.commit();
    await member.reset();

    expect(await member.landed(input, 0, at(0, '9'))).toBe(true);
    // Nothing committed 12: a delivery that did not land is sent again.
    expect(await member.landed(input, 0, at(0, '12'))).toBe(false);
    // Offsets that did not move past this member's last commit cannot tell (9 is committed now).
    expect(await member.landed(input, 0, at(0, '9'))).toBe(false);
    // Nor can a partition this member has not committed before.
    expect(await member.landed(input, 1, at(1, '3'))).toBe(false);
    await lost.disconnect().catch(() => undefined);

    const written = await readTopicToEnd(kafka, output, { isolation: 'read_committed', expected: 2 });
    expect(written.map((m) => m.value?.toString())).toEqual(['first', 'second']);
  }, 60_000);
});
