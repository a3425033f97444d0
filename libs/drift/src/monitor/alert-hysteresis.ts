/**
 * Alert hysteresis and retraining cool-down, as a pure state transition per closed window:
 * (state, evaluation) → (state', alerts, trigger?). The state is small and plain so it can travel
 * inside every DriftReport, which is how it survives restarts.
 *
 * - A feature's alert STARTS after `startAfter` consecutive drifting windows (default 3) and
 *   RESOLVES after `resolveAfter` consecutive clean windows (default 3 too: symmetric hysteresis,
 *   so a feature hovering at the threshold cannot flap STARTED/RESOLVED). One event per transition.
 * - Windows that were not judged (too small) leave the state unchanged.
 * - A retraining trigger fires when dataset drift has lasted `triggerAfter` consecutive windows
 *   and no trigger fired in the last `cooldownWindows` windows; while drift persists it fires again
 *   once per cool-down period.
 */
import type { FeatureEvaluation, WindowEvaluation } from './window-evaluation';

export interface HysteresisPolicy {
  readonly startAfter: number;
  readonly resolveAfter: number;
  readonly triggerAfter: number;
  readonly cooldownWindows: number;
}

export const DEFAULT_HYSTERESIS: HysteresisPolicy = {
  startAfter: 3,
  resolveAfter: 3,
  triggerAfter: 3,
  cooldownWindows: 7,
};

export interface FeatureAlertState {
  readonly feature: string;
  readonly driftingWindows: number;
  readonly cleanWindows: number;
  readonly open: boolean;
}

export interface AlertState {
  readonly features: readonly FeatureAlertState[];
  readonly datasetDriftWindows: number;
  /** Windows left before another retraining trigger may fire. */
  readonly cooldownRemaining: number;
}

export const INITIAL_ALERT_STATE: AlertState = { features: [], datasetDriftWindows: 0, cooldownRemaining: 0 };

export interface AlertEvent {
  readonly status: 'STARTED' | 'RESOLVED';
  readonly feature: string;
  /** Consecutive drifting (STARTED) or clean (RESOLVED) windows that caused the transition. */
  readonly consecutiveWindows: number;
  readonly evaluation: FeatureEvaluation;
}

export interface TriggerEvent {
  readonly features: readonly FeatureEvaluation[];
  readonly consecutiveWindows: number;
  readonly driftShare: number;
}

export interface HysteresisStep {
  readonly state: AlertState;
  readonly alerts: readonly AlertEvent[];
  readonly trigger: TriggerEvent | null;
}

export function advanceAlerts(
  state: AlertState,
  evaluation: WindowEvaluation,
  policy: HysteresisPolicy = DEFAULT_HYSTERESIS,
): HysteresisStep {
  if (!evaluation.judged) return { state, alerts: [], trigger: null };
  const previous = new Map(state.features.map((f) => [f.feature, f]));
  const alerts: AlertEvent[] = [];
  const features = evaluation.features.map((f): FeatureAlertState => {
    const before = previous.get(f.feature) ?? {
      feature: f.feature,
      driftingWindows: 0,
      cleanWindows: 0,
      open: false,
    };
    // A feature without values in this window keeps its state, like an unjudged window.
    if (f.psi === null) return before;
    const driftingWindows = f.drifting ? before.driftingWindows + 1 : 0;
    const cleanWindows = f.drifting ? 0 : before.cleanWindows + 1;
    let open = before.open;
    if (!open && driftingWindows >= policy.startAfter) {
      open = true;
      alerts.push({
        status: 'STARTED',
        feature: f.feature,
        consecutiveWindows: driftingWindows,
        evaluation: f,
      });
    } else if (open && cleanWindows >= policy.resolveAfter) {
      open = false;
      alerts.push({
        status: 'RESOLVED',
        feature: f.feature,
        consecutiveWindows: cleanWindows,
        evaluation: f,
      });
    }
    return { feature: f.feature, driftingWindows, cleanWindows, open };
  });
  // Features no longer in the references keep their state (e.g. an alert still open) untouched.
  const seen = new Set(features.map((f) => f.feature));
  for (const f of state.features) if (!seen.has(f.feature)) features.push(f);

  const datasetDriftWindows = evaluation.datasetDrift ? state.datasetDriftWindows + 1 : 0;
  let cooldownRemaining = Math.max(0, state.cooldownRemaining - 1);
  let trigger: TriggerEvent | null = null;
  if (datasetDriftWindows >= policy.triggerAfter && cooldownRemaining === 0) {
    trigger = {
      features: evaluation.features.filter((f) => f.drifting),
      consecutiveWindows: datasetDriftWindows,
      driftShare: evaluation.driftShare,
    };
    cooldownRemaining = policy.cooldownWindows;
  }
  return { state: { features, datasetDriftWindows, cooldownRemaining }, alerts, trigger };
}

/** Features whose alert is open. */
export function openAlerts(state: AlertState): string[] {
  return state.features.filter((f) => f.open).map((f) => f.feature);
}
