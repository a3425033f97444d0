/**
 * Server-rendered drift page: for each recent window, every feature's reference and current
 * histograms (inline SVG, no scripts, no CDN) with its PSI and KS values. Numbers shown are
 * `formatStatistic` of the report's values, and each row carries the exact values as data
 * attributes so a test can compare them with /v1/drift/reports.
 */
import type { DriftReport, FeatureDrift } from '@streamscore/contracts';

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** How the page prints a statistic: 4 significant digits, "–" when absent. */
export function formatStatistic(value: number | null): string {
  if (value === null) return '–';
  if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(3);
  return Number(value.toPrecision(4)).toString();
}

const BAR_HEIGHT = 60;
const BAR_WIDTH = 12;
/** Widest a histogram is drawn; wider ones (many bins) are scaled down to it, so the page fits. */
const MAX_HISTOGRAM_WIDTH = 360;

function histogramSvg(feature: FeatureDrift): string {
  const bins = feature.histogram;
  const max = Math.max(1e-9, ...bins.flatMap((b) => [b.reference, b.current]));
  const width = bins.length * (2 * BAR_WIDTH + 6);
  const bars = bins
    .map((bin, i) => {
      const x = i * (2 * BAR_WIDTH + 6);
      const ref = (bin.reference / max) * BAR_HEIGHT;
      const cur = (bin.current / max) * BAR_HEIGHT;
      const title = `${bin.label}: reference ${(bin.reference * 100).toFixed(1)}%, current ${(bin.current * 100).toFixed(1)}%`;
      return (
        `<g><title>${escape(title)}</title>` +
        `<rect class="ref" x="${x}" y="${(BAR_HEIGHT - ref).toFixed(2)}" width="${BAR_WIDTH}" height="${ref.toFixed(2)}"/>` +
        `<rect class="cur" x="${x + BAR_WIDTH}" y="${(BAR_HEIGHT - cur).toFixed(2)}" width="${BAR_WIDTH}" height="${cur.toFixed(2)}"/></g>`
      );
    })
    .join('');
  const drawn = Math.min(width, MAX_HISTOGRAM_WIDTH);
  return `<svg role="img" aria-label="histogram of ${escape(feature.feature)}" width="${drawn}" height="${BAR_HEIGHT}" viewBox="0 0 ${width} ${BAR_HEIGHT}" preserveAspectRatio="none">${bars}</svg>`;
}

const numberAttribute = (value: number | null): string => (value === null ? '' : String(value));

function featureRow(reportId: string, feature: FeatureDrift, role: 'feature' | 'score'): string {
  const rule = feature.drifting ? '<strong>drifting</strong>' : 'stable';
  return (
    `<tr class="feature${feature.drifting ? ' drifting' : ''}" data-report="${escape(reportId)}" data-feature="${escape(feature.feature)}" data-role="${role}"` +
    ` data-psi="${numberAttribute(feature.psi)}" data-ks-statistic="${numberAttribute(feature.ksStatistic)}"` +
    ` data-ks-pvalue-adjusted="${numberAttribute(feature.ksPValueAdjusted)}">` +
    `<th scope="row">${escape(feature.feature)}${role === 'score' ? ' (score)' : ''}</th>` +
    `<td>${feature.count}</td>` +
    `<td class="psi">${formatStatistic(feature.psi)}</td>` +
    `<td class="ks-statistic">${formatStatistic(feature.ksStatistic)}</td>` +
    `<td class="ks-pvalue-adjusted">${formatStatistic(feature.ksPValueAdjusted)}</td>` +
    `<td>${rule}</td>` +
    `<td>${histogramSvg(feature)}</td></tr>`
  );
}

/** A judged window in full: its verdict, and per feature the statistics, the rule and the histograms. */
function windowSection(report: DriftReport): string {
  const range = `${new Date(report.window.start).toISOString()} – ${new Date(report.window.end).toISOString()}`;
  const verdict = report.datasetDrift
    ? `<strong>dataset drift</strong> (${report.driftedFeatures.map(escape).join(', ')})`
    : report.driftedFeatures.length > 0
      ? `drifting: ${report.driftedFeatures.map(escape).join(', ')}`
      : 'no drift';
  const open = report.alertState.features.filter((f) => f.open).map((f) => escape(f.feature));
  return (
    `<section class="window" data-report="${escape(report.reportId)}">` +
    `<h2>${escape(report.modelName)} v${escape(report.modelVersion)} · window ${report.window.index}</h2>` +
    `<p>${range} · ${report.events} predictions · ${verdict} · open alerts: ${open.length > 0 ? open.join(', ') : 'none'}</p>` +
    `<table><thead><tr><th>feature</th><th>values</th><th>PSI</th><th>KS D</th><th>KS p (corrected)</th><th>rule</th>` +
    `<th>histogram: <span class="key ref"></span> reference <span class="key cur"></span> current</th></tr></thead><tbody>` +
    report.features.map((f) => featureRow(report.reportId, f, 'feature')).join('') +
    featureRow(report.reportId, report.score, 'score') +
    `</tbody></table></section>`
  );
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;margin-bottom:1rem}th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}
tr.drifting{background:#fff1f0}rect.ref,.key.ref{fill:#9aa5b1;background:#9aa5b1}rect.cur,.key.cur{fill:#d9480f;background:#d9480f}
.key{display:inline-block;width:.8em;height:.8em}section{margin-bottom:2rem}`;

/**
 * The page's windows, newest first: the latest `limit` judged ones in full; windows closed with too
 * few predictions to judge (a stray record in an old hour) only as one line each, so they cannot push
 * the judged ones off the page.
 */
export function pageWindows(
  reports: readonly DriftReport[],
  limit: number,
): { judged: DriftReport[]; unjudged: DriftReport[] } {
  return {
    judged: reports.filter((r) => r.judged).slice(0, limit),
    unjudged: reports.filter((r) => !r.judged).slice(0, limit),
  };
}

function unjudgedLine(report: DriftReport): string {
  return (
    `<li data-report="${escape(report.reportId)}">${escape(report.modelName)} v${escape(report.modelVersion)} · window ${report.window.index} ` +
    `(${new Date(report.window.start).toISOString()}) · ${report.events} predictions · ${escape(report.reason ?? '')}</li>`
  );
}

/** `reports` newest first; `limit` judged windows are drawn, as many unjudged ones listed. */
export function renderDriftPage(reports: readonly DriftReport[], generatedAt: Date, limit = 10): string {
  const { judged, unjudged } = pageWindows(reports, limit);
  const body =
    (reports.length === 0
      ? '<p>No window has closed yet.</p>'
      : judged.length === 0
        ? '<p>No window has been judged yet (see below).</p>'
        : judged.map(windowSection).join('')) +
    (unjudged.length === 0
      ? ''
      : `<h2>Not judged (too few predictions)</h2><ul class="unjudged">${unjudged.map(unjudgedLine).join('')}</ul>`);
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Drift</title><style>${STYLE}</style></head>` +
    `<body><h1>Drift: latest windows</h1><p>PSI against the reference bins, two-sample KS against the reference sample; ` +
    `generated ${generatedAt.toISOString()}.</p>${body}</body></html>`
  );
}
