import type { IHeaders } from 'kafkajs';
import type { OutputMessage } from './batch-types';

const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);

/** The offset to commit after `offset`. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/** kafkajs sendBatch's topicMessages for a delivery's outputs, in order within each topic. */
export function groupByTopic(outputs: readonly OutputMessage[]): {
  topic: string;
  messages: { key: Buffer | string | null; value: Buffer | null; headers?: IHeaders; partition?: number }[];
}[] {
  const byTopic = new Map<
    string,
    { key: Buffer | string | null; value: Buffer | null; headers?: IHeaders; partition?: number }[]
  >();
  for (const o of outputs) {
    let list = byTopic.get(o.topic);
    if (!list) {
      list = [];
      byTopic.set(o.topic, list);
    }
    const message: {
      key: Buffer | string | null;
      value: Buffer | null;
      headers?: IHeaders;
      partition?: number;
    } = {
      key: o.key,
      value: o.value,
    };
    if (o.headers) message.headers = o.headers;
    if (o.partition !== undefined) message.partition = o.partition;
    list.push(message);
  }
  return [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages }));
}

/** Another producer with the same transactional id took over: the partition moved. */
export function isFenced(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && FENCED.has(type);
}
