/**
 * kafkajs' producer groups a send's messages by partition with `[...current, message]` inside a
 * reduce: quadratic in the messages per partition. For ingestion's 5,000-row micro-batches that
 * was 0.8 s of its 6 s of CPU in the end-to-end demo. This one is linear, with the same result:
 * an object from partition to its messages, in send order; `{}` without partition metadata.
 */
export interface GroupArgs<M, P> {
  readonly topic: string;
  readonly partitionMetadata: readonly P[];
  readonly messages: readonly M[];
  readonly partitioner: (args: { topic: string; partitionMetadata: readonly P[]; message: M }) => number;
}

export function groupMessagesPerPartition<M, P>(args: GroupArgs<M, P>): Record<number, M[]> {
  const { topic, partitionMetadata, messages, partitioner } = args;
  const result: Record<number, M[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const group = result[partition];
    if (group === undefined) result[partition] = [message];
    else group.push(message);
  }
  return result;
}
