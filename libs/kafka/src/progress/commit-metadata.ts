/**
 * Event-time progress rides in the metadata of the offsets a group commits, as Kafka Streams keeps
 * a partition's time there: the greatest event time among the input records below the committed
 * offset. It is written in the same transaction as the outputs, so a reader of the group's
 * committed offsets sees outputs and progress move together (upstream-progress.ts reads it).
 */
const VERSION = 1;

export function encodeEventTime(eventTimeMs: number): string {
  return JSON.stringify({ v: VERSION, eventTimeMs });
}

/** The event time in a committed offset's metadata; undefined when it has none (or another writer's). */
export function decodeEventTime(metadata: string | null | undefined): number | undefined {
  if (!metadata || !metadata.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(metadata) as { v?: unknown; eventTimeMs?: unknown };
    return parsed.v === VERSION &&
      typeof parsed.eventTimeMs === 'number' &&
      Number.isFinite(parsed.eventTimeMs)
      ? parsed.eventTimeMs
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The greatest event time per input partition that a member has taken, seeded from the committed
 * offset's metadata when the member takes the partition over, so a micro-batch without event
 * times (all dead letters) keeps the progress its predecessors committed.
 */
export class PartitionEventTimes {
  private readonly greatest = new Map<string, number>();

  /** The committed metadata of a partition this member starts on; ignored once the member has its own. */
  seed(topic: string, partition: number, metadata: string | null | undefined): void {
    const committed = decodeEventTime(metadata);
    const key = keyOf(topic, partition);
    if (committed !== undefined && !this.greatest.has(key)) this.greatest.set(key, committed);
  }

  /** The metadata to commit with a micro-batch whose greatest event time is `eventTimeMs`. */
  advance(topic: string, partition: number, eventTimeMs: number | undefined): string | undefined {
    const key = keyOf(topic, partition);
    const known = this.greatest.get(key);
    const next = eventTimeMs === undefined ? known : Math.max(known ?? eventTimeMs, eventTimeMs);
    if (next === undefined) return undefined;
    this.greatest.set(key, next);
    return encodeEventTime(next);
  }

  /** On a new assignment: the next owner of each partition seeds it again. */
  clear(): void {
    this.greatest.clear();
  }
}

function keyOf(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
