import type { DriftAlert, DriftReport, DriftWindow, RetrainingTrigger } from '@streamscore/contracts';

/** ISO minute, UTC: 2001-06-12T08:00Z. */
function at(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16) + 'Z';
}

function num(value: number | null, digits = 3): string {
  return value === null ? '-' : value.toFixed(digits);
}

function window(w: DriftWindow): string {
  return `${w.kind.toLowerCase()} window #${w.index} [${at(w.start)}, ${at(w.end)})`;
}

export function alertLine(alert: DriftAlert): string {
  const s = alert.statistics;
  const verb = alert.status === 'STARTED' ? 'DRIFT STARTED ' : 'DRIFT RESOLVED';
  return (
    `${at(alert.raisedAt)} ${verb} ${alert.modelName} v${alert.modelVersion} ${alert.feature}: ` +
    `psi=${num(s.psi)} ks=${num(s.ksStatistic)} p=${num(s.ksPValueAdjusted, 4)} ` +
    `after ${alert.consecutiveWindows} windows, ${window(alert.window)}`
  );
}

export function reportLine(report: DriftReport): string {
  const head = `${at(report.evaluatedAt)} report         ${report.modelName} v${report.modelVersion} ${window(report.window)} events=${report.events}`;
  if (!report.judged) return `${head} not judged: ${report.reason ?? 'no reason given'}`;
  const drifted = report.driftedFeatures.length > 0 ? report.driftedFeatures.join(', ') : 'none';
  const open = report.alertState.features.filter((f) => f.open).map((f) => f.feature);
  return (
    `${head} drifted=${drifted} share=${report.driftShare.toFixed(2)}` +
    `${report.datasetDrift ? ' DATASET DRIFT' : ''} score-psi=${num(report.score.psi)}` +
    ` open-alerts=${open.length > 0 ? open.join(', ') : 'none'}`
  );
}

export function triggerLine(trigger: RetrainingTrigger): string {
  return (
    `${at(trigger.createdAt)} RETRAIN        ${trigger.modelName} v${trigger.modelVersion}: ${trigger.reason} ` +
    `(features ${trigger.features.join(', ') || 'none'}, share=${trigger.driftShare.toFixed(2)}, ${window(trigger.window)})`
  );
}
