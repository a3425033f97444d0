/**
 * The monitor's in-memory state per model version: its open windows, the input offset of each
 * open window's first record per partition (what may not be committed yet), and the alert state
 * as of the last committed report. Pure bookkeeping; Kafka stays in the service.
 */
import {
  INITIAL_ALERT_STATE,
  NO_PROGRESS,
  TumblingWindows,
  type AlertState,
  type PreparedReferences,
  type WindowAccumulator,
  type WindowProgress,
} from '@streamscore/drift';
import type { DriftReport } from '@streamscore/contracts';
import { fromAlertStateRecord, type ModelVersionKey } from './drift-records';
import type { MonitorSettings } from './monitor-settings';

export interface ModelWindows {
  readonly key: ModelVersionKey;
  readonly windows: TumblingWindows;
  readonly firstOffsets: Map<WindowAccumulator, Map<number, bigint>>;
  alertState: AlertState;
}

export interface Resumed {
  readonly progress: WindowProgress;
  readonly alertState: AlertState;
}

export const modelKey = (modelName: string, modelVersion: string): string => `${modelName}/${modelVersion}`;

/** What the committed reports say about each model version: windows done and the alert state. */
export function resumeFromReports(
  reports: readonly DriftReport[],
  settings: MonitorSettings,
): Map<string, Resumed> {
  const kind = settings.spec.kind === 'time' ? 'TIME' : 'COUNT';
  const latest = new Map<string, DriftReport>();
  for (const report of reports) {
    if (report.window.kind !== kind) continue;
    const key = modelKey(report.modelName, report.modelVersion);
    const previous = latest.get(key);
    if (!previous || report.window.index > previous.window.index) latest.set(key, report);
  }
  const resumed = new Map<string, Resumed>();
  for (const [key, report] of latest) {
    resumed.set(key, {
      progress:
        kind === 'TIME'
          ? { closedThrough: report.window.end, nextIndex: 0 }
          : { closedThrough: NO_PROGRESS.closedThrough, nextIndex: report.window.index + 1 },
      alertState: fromAlertStateRecord(report.alertState),
    });
  }
  return resumed;
}

export function createModelWindows(
  key: ModelVersionKey,
  references: PreparedReferences,
  settings: MonitorSettings,
  resumed: Resumed | undefined,
): ModelWindows {
  return {
    key,
    windows: new TumblingWindows(
      references,
      settings.spec,
      resumed?.progress ?? NO_PROGRESS,
      settings.valuesPerFeature,
    ),
    firstOffsets: new Map(),
    alertState: resumed?.alertState ?? INITIAL_ALERT_STATE,
  };
}

export function noteRecord(
  state: ModelWindows,
  window: WindowAccumulator,
  partition: number,
  offset: bigint,
): void {
  let firsts = state.firstOffsets.get(window);
  if (!firsts) {
    firsts = new Map();
    state.firstOffsets.set(window, firsts);
  }
  if (!firsts.has(partition)) firsts.set(partition, offset);
}

/**
 * Offsets safe to commit: per partition, the first record still in an open window (it and
 * everything after must be re-read after a restart), or the next offset to consume when none is.
 */
export function committableOffsets(
  positions: ReadonlyMap<number, bigint>,
  states: Iterable<ModelWindows>,
): Map<number, bigint> {
  const offsets = new Map(positions);
  for (const state of states) {
    for (const firsts of state.firstOffsets.values()) {
      for (const [partition, offset] of firsts) {
        const current = offsets.get(partition);
        if (current === undefined || offset < current) offsets.set(partition, offset);
      }
    }
  }
  return offsets;
}
