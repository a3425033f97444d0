import type { OutputMessage } from './batch-types';

/**
 * kafkajs sends everything for one partition in one record batch, and the broker refuses a batch
 * above message.max.bytes (1 MiB by default): a micro-batch of dead letters, all bound for the
 * one-partition dead-letter topic with their reason headers, can exceed it. Sends of at most
 * MAX_SEND_BYTES each stay under it (several sends in one transaction are still atomic).
 */
const MAX_SEND_BYTES = 512 * 1024;

export function splitByBytes(
  outputs: readonly OutputMessage[],
  maxBytes = MAX_SEND_BYTES,
): OutputMessage[][] {
  const parts: OutputMessage[][] = [];
  let current: OutputMessage[] = [];
  let bytes = 0;
  for (const o of outputs) {
    const size = messageBytes(o);
    if (current.length > 0 && bytes + size > maxBytes) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(o);
    bytes += size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

function messageBytes(o: OutputMessage): number {
  // Record overhead (lengths, varints, timestamps) is about 20 bytes; headers count name + value.
  let size = 20 + (o.key?.length ?? 0) + (o.value?.length ?? 0);
  for (const [name, value] of Object.entries(o.headers ?? {})) {
    size +=
      name.length +
      (Array.isArray(value)
        ? value.reduce((n: number, v) => n + String(v).length, 0)
        : String(value ?? '').length);
  }
  return size;
}
