import type { PartitionAssignment } from '@streamscore/kafka';
import type { ServedVersion } from './serving';

/** The active version that scores an input partition changed (issue #18 item 3). */
export interface VersionSwitch {
  readonly topic: string;
  readonly partition: number;
  /** First record of the first micro-batch the new version scored: every record before it had the old one. */
  readonly firstOffset: string;
  readonly model: string;
  readonly fromVersion: string;
  readonly toVersion: string;
}

/** Where a delivered micro-batch starts (libs/kafka BatchDelivered carries these). */
export interface DeliveredAt {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: string;
}

type ActiveVersion = Pick<ServedVersion, 'key' | 'name' | 'version'>;

/**
 * Per input partition, the active version of the last micro-batch this member delivered, to tell
 * when it changes. Fed delivered micro-batches only: the transport delivers a partition's
 * micro-batches one at a time in offset order, and each keeps the serving it was scored with
 * (ServingController), so the switch found here is the one the committed predictions show.
 *
 * A partition that comes to this member in a rebalance starts unknown: its first micro-batch here
 * reports no switch, even when the previous owner scored it with another version.
 */
export class VersionSwitches {
  private readonly last = new Map<string, ActiveVersion>();

  /** After a rebalance: forgets the partitions this member no longer owns. */
  assigned(assignment: PartitionAssignment): void {
    const owned = new Set(
      Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}:${p}`)),
    );
    for (const key of this.last.keys()) if (!owned.has(key)) this.last.delete(key);
  }

  /** A micro-batch was delivered, scored with `active`: the switch it makes, if any. */
  delivered(at: DeliveredAt, active: ActiveVersion): VersionSwitch | undefined {
    const key = `${at.topic}:${at.partition}`;
    const previous = this.last.get(key);
    this.last.set(key, active);
    if (!previous || previous.key === active.key) return undefined;
    return {
      topic: at.topic,
      partition: at.partition,
      firstOffset: at.firstOffset,
      model: active.name,
      fromVersion: previous.version,
      toVersion: active.version,
    };
  }
}
