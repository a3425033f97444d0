/**
 * The drift monitor's verdicts computed offline, for comparison with the running service: the
 * records are grouped into tumbling event-time windows here (not by TumblingWindows or the
 * service's watermark), and each complete window goes through the library's own definitions,
 * evaluateWindow then advanceAlerts, in window order.
 */
import type { Prediction } from '@streamscore/contracts';
import {
  advanceAlerts,
  evaluateWindow,
  INITIAL_ALERT_STATE,
  openAlerts,
  WindowAccumulator,
  type AlertState,
  type DriftRule,
  type HysteresisPolicy,
  type PreparedReferences,
  type WindowEvaluation,
} from '@streamscore/drift';

export interface OfflineSettings {
  readonly windowMs: number;
  readonly allowedLatenessMs: number;
  readonly valuesPerFeature: number;
  readonly rule: DriftRule;
  readonly policy: HysteresisPolicy;
}

export interface OfflineAlert {
  readonly windowIndex: number;
  readonly feature: string;
  readonly status: 'STARTED' | 'RESOLVED';
}

export interface OfflineWindow {
  readonly evaluation: WindowEvaluation;
  readonly alerts: readonly OfflineAlert[];
  readonly triggered: boolean;
  /** Features whose alert is open after this window. */
  readonly openAfter: readonly string[];
}

/**
 * @param predictions in the order they are produced (only the reservoir, unused below its
 *   capacity, depends on the order within a window)
 * @returns the windows whose end the last event time minus the allowed lateness reaches: those
 *   the service closes once it has read every record, oldest first
 */
export function offlineDrift(
  predictions: readonly Prediction[],
  references: PreparedReferences,
  settings: OfflineSettings,
): OfflineWindow[] {
  const byIndex = new Map<number, Prediction[]>();
  let lastEventTime = Number.NEGATIVE_INFINITY;
  for (const p of predictions) {
    const index = Math.floor(p.eventTime / settings.windowMs);
    let members = byIndex.get(index);
    if (!members) {
      members = [];
      byIndex.set(index, members);
    }
    members.push(p);
    lastEventTime = Math.max(lastEventTime, p.eventTime);
  }
  const closedUpTo = lastEventTime - settings.allowedLatenessMs;
  const out: OfflineWindow[] = [];
  let state: AlertState = INITIAL_ALERT_STATE;
  for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
    const start = index * settings.windowMs;
    const end = start + settings.windowMs;
    if (end > closedUpTo) break;
    const window = new WindowAccumulator(references, index, { start, end }, settings.valuesPerFeature);
    for (const p of byIndex.get(index) ?? []) window.add(p);
    const evaluation = evaluateWindow(window, settings.rule);
    const step = advanceAlerts(state, evaluation, settings.policy);
    state = step.state;
    out.push({
      evaluation,
      alerts: step.alerts.map((a) => ({ windowIndex: index, feature: a.feature, status: a.status })),
      triggered: step.trigger !== null,
      openAfter: openAlerts(state),
    });
  }
  return out;
}
