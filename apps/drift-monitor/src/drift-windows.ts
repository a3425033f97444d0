import { Logger } from '@nestjs/common';
import type { KafkaMessage } from 'kafkajs';
import type { Decoder, Prediction } from '@streamscore/contracts';
import { advanceAlerts, evaluateWindow, type AlertState } from '@streamscore/drift';
import { ProgressHistory, unreadBoundMs, type ProgressReading } from '@streamscore/kafka';
import type { DriftMetrics } from './drift.metrics';
import { buildOutputs, type WindowOutputs } from './drift-records';
import type { ModelReferences } from './model-references';
import {
  committableOffsets,
  createModelWindows,
  modelKey,
  noteRecord,
  type ModelWindows,
  type Resumed,
} from './model-windows';
import type { MonitorSettings } from './monitor-settings';

/** A window taken out of memory, and what it leaves once its outputs are delivered. */
export interface ClosedWindow {
  readonly state: ModelWindows;
  /** The version's alert state after this window: applied only once the outputs landed. */
  readonly alertState: AlertState;
  readonly outputs: WindowOutputs;
}

export interface DriftWindowsOptions {
  readonly settings: MonitorSettings;
  readonly references: ModelReferences;
  readonly decoder: Decoder<Prediction>;
  readonly metrics: DriftMetrics;
  /** Reported progress and alert state per model version, from the report history. */
  readonly resumed: () => ReadonlyMap<string, Resumed>;
}

interface PartitionProgress {
  /** Latest event time read. */
  maxEventTime: number;
  /** The next offset to read: where the member started, then past every record and marker read. */
  readTo: bigint;
}

/**
 * The drift monitor's memory between micro-batches: the open windows per model version, each
 * input partition's read position and event-time progress, and the progress and alert state that
 * reported windows leave behind. No Kafka here: the handler feeds it records and delivers what
 * closes.
 */
export class DriftWindows {
  private readonly logger = new Logger(DriftWindows.name);
  private readonly states = new Map<string, ModelWindows | Error>();
  private readonly positions = new Map<number, bigint>();
  private readonly partitionProgress = new Map<number, PartitionProgress>();
  /** Upstream's bound and where predictions ended at each refresh (written in transactions). */
  private readonly inputProgress = new ProgressHistory();
  private resumedState: Map<string, Resumed> | undefined;

  constructor(private readonly options: DriftWindowsOptions) {}

  /**
   * After a rebalance the transport fetches every assigned partition from its committed offset,
   * which is the first record of the oldest open window: the open windows are rebuilt from there,
   * so the copies in memory are dropped. Reported progress and alert states are kept.
   */
  forgetOpenWindows(): void {
    const resumed = this.resumed();
    for (const [key, state] of this.states) {
      if (state instanceof Error) continue;
      resumed.set(key, { progress: state.windows.progress(), alertState: state.alertState });
    }
    this.states.clear();
    this.positions.clear();
    this.partitionProgress.clear();
  }

  /** An assigned partition, before it delivers, and the offset its reading starts from. */
  assignPartition(partition: number, startOffset: bigint): void {
    this.partitionProgress.set(partition, { maxEventTime: Number.NEGATIVE_INFINITY, readTo: startOffset });
  }

  /** One refresh of the input's progress (upstream's bound, then the ends of predictions): what closes windows. */
  recordInputProgress(reading: ProgressReading): void {
    this.inputProgress.record(reading);
  }

  /** Counts one prediction into its window and moves the partition's position past it. */
  async accept(message: KafkaMessage, partition: number): Promise<void> {
    const offset = BigInt(message.offset);
    const eventTime = await this.count(message, partition, offset);
    this.positions.set(partition, offset + 1n);
    const progress = this.partitionProgress.get(partition) ?? {
      maxEventTime: Number.NEGATIVE_INFINITY,
      readTo: offset + 1n,
    };
    if (eventTime !== null && eventTime > progress.maxEventTime) progress.maxEventTime = eventTime;
    if (offset + 1n > progress.readTo) progress.readTo = offset + 1n;
    this.partitionProgress.set(partition, progress);
  }

  /** The transport read past records no handler sees (a transaction's commit marker). */
  skippedTo(partition: number, nextOffset: bigint): void {
    const progress = this.partitionProgress.get(partition);
    if (progress && nextOffset > progress.readTo) progress.readTo = nextOffset;
  }

  /**
   * Takes every window that can close out of memory, oldest first per version, with its outputs;
   * the alert state chains across a version's windows closed together.
   */
  async takeClosed(heartbeat: () => Promise<void>): Promise<ClosedWindow[]> {
    const { settings } = this.options;
    const closed: ClosedWindow[] = [];
    for (const state of this.liveStates()) {
      let alertState = state.alertState;
      for (const window of state.windows.takeClosable(this.inputEventTime())) {
        state.firstOffsets.delete(window);
        const evaluation = evaluateWindow(window, settings.rule);
        const step = advanceAlerts(alertState, evaluation, settings.policy);
        alertState = step.state;
        closed.push({
          state,
          alertState,
          outputs: buildOutputs({
            key: state.key,
            spec: settings.spec,
            evaluation,
            missing: window.missing,
            step,
            rule: settings.rule,
            policy: settings.policy,
            now: Date.now(),
          }),
        });
        await heartbeat();
      }
    }
    return closed;
  }

  /** Per partition, the offset to commit: the first record still in an open window, else the next one. */
  committableOffsets(): Map<number, bigint> {
    return committableOffsets(this.positions, this.liveStates());
  }

  get openWindowBytes(): number {
    return this.liveStates().reduce((sum, s) => sum + s.windows.byteLength, 0);
  }

  /** Counts one prediction into its window; returns its event time, or null when undecodable. */
  private async count(message: KafkaMessage, partition: number, offset: bigint): Promise<number | null> {
    const { decoder, metrics } = this.options;
    const decoded = await decoder.decode(message.value, message.headers);
    if (!decoded.ok) {
      metrics.recordsSkipped.inc({ reason: 'undecodable' });
      return null;
    }
    const p = decoded.record;
    const state = await this.stateFor(p.modelName, p.modelVersion);
    if (state instanceof Error) {
      metrics.recordsSkipped.inc({ reason: 'no_manifest' });
      return p.eventTime;
    }
    const window = state.windows.add({
      eventTime: p.eventTime,
      score: p.score,
      features: p.features,
      categories: p.categories,
    });
    if (window) noteRecord(state, window, partition, offset);
    else metrics.lateRecords.inc({ model: p.modelName, version: p.modelVersion });
    return p.eventTime;
  }

  /**
   * The input's event-time progress (libs/kafka unreadBoundMs): per partition with records left,
   * upstream's bound from the last refresh whose end it has read past — predictions interleave
   * inference's transactions, so a partition's own latest event time does not bound what follows
   * it; partitions read to the latest end wait only on the latest bound. Before any upstream
   * progress is known, each partition's own latest event time (per-partition watermarks).
   */
  private inputEventTime(): number {
    const bound = unreadBoundMs(
      this.inputProgress,
      [...this.partitionProgress].map(([partition, { maxEventTime, readTo }]) => ({
        partition,
        readTo: Number(readTo),
        ownMaxMs: Number.isFinite(maxEventTime) ? maxEventTime : undefined,
      })),
    );
    return bound ?? Number.POSITIVE_INFINITY;
  }

  private async stateFor(modelName: string, modelVersion: string): Promise<ModelWindows | Error> {
    const key = modelKey(modelName, modelVersion);
    const known = this.states.get(key);
    if (known) return known;
    const references = await this.options.references.get(modelName, modelVersion);
    const state =
      references instanceof Error
        ? references
        : createModelWindows(
            { modelName, modelVersion },
            references,
            this.options.settings,
            this.resumed().get(key),
          );
    if (state instanceof Error) this.logger.warn(`predictions of ${key} are skipped: ${state.message}`);
    this.states.set(key, state);
    return state;
  }

  private liveStates(): ModelWindows[] {
    return [...this.states.values()].filter((s): s is ModelWindows => !(s instanceof Error));
  }

  /** The report history's progress, copied on first use (the history is read before the transport starts). */
  private resumed(): Map<string, Resumed> {
    this.resumedState ??= new Map(this.options.resumed());
    return this.resumedState;
  }
}
