import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFeatureViews } from '@streamscore/features';
import { loadPipelineConfig } from '@streamscore/platform';
import { expectCount, progress } from '../common/bench-kit';
import { commandLineOf, descendantsOf, type ProcessRoles } from '../common/process-cpu';

const ROOT = resolve(__dirname, '..', '..');
export const DEMO_PIPELINE = join(ROOT, 'demo', 'flights', 'pipeline.json');

/** How many of the demo's feature views read each source stream. */
const VIEWS_PER_SOURCE = (() => {
  const pipeline = loadPipelineConfig(DEMO_PIPELINE);
  const views = parseFeatureViews(
    JSON.parse(readFileSync(pipeline.featureViews, 'utf8')),
    pipeline.featureViews,
  );
  return {
    events: views.filter((v) => v.source === 'events').length,
    outcomes: views.filter((v) => v.source === 'outcomes').length,
  };
})();

export interface DemoReport {
  produced: number;
  validated: number;
  deadLettered: number;
  predicted: number;
  predictionDeadLettered: number;
  duplicatePredictions: number;
  missingPredictions: number;
  outcomesProduced: number;
  /** The services' counters (comparable with the topics: the bench's runs restart nothing). */
  metrics: { featureUpdatesApplied: number; featureUpdatesLate: number };
  elapsedSeconds: number;
  latencyMsP50: number;
  latencyMsP99: number;
  latencyWindowFromS: number;
  latencyWindowToS: number;
  latencyMeasured: number;
  receiptLatencyMsP50: number;
  receiptLatencyMsP99: number;
  hopIngestionMsP99: number;
  hopReadinessWaitMsP99: number;
  hopInferenceQueueMsP99: number;
  hopFeatureReadMsP99: number;
  hopScoringMsP99: number;
  hopCommitMsP99: number;
  accountedFor: boolean;
}

/**
 * The demo's own accounting (it reads every topic back read_committed), checked here too: its
 * counts printed, and the run fails unless every departure sent was validated or dead-lettered and
 * every validated one predicted or dead-lettered once (`accountedFor`).
 */
function checkDemo(report: DemoReport, events: number, line: string): void {
  expectCount('demo departures produced', report.produced, events);
  expectCount(
    `demo validated (${report.validated}) + dead letters (${report.deadLettered})`,
    report.validated + report.deadLettered,
    report.produced,
  );
  expectCount(
    `demo predictions (${report.predicted}) + prediction dead letters (${report.predictionDeadLettered})`,
    report.predicted + report.predictionDeadLettered,
    report.validated,
  );
  expectCount('demo duplicate predictions', report.duplicatePredictions, 0);
  expectCount('demo missing predictions', report.missingPredictions, 0);
  // One feature-view update (applied, or dropped as late) per source record and view of its source.
  const { featureUpdatesApplied: applied, featureUpdatesLate: late } = report.metrics;
  expectCount(
    `demo feature-view updates (${applied} applied + ${late} late)`,
    applied + late,
    report.produced * VIEWS_PER_SOURCE.events + report.outcomesProduced * VIEWS_PER_SOURCE.outcomes,
  );
  if (!report.accountedFor) throw new Error(`demo did not account for every event: ${line}`);
}

/** A `demo/run-demo.ts` run in progress. */
export interface DemoRun {
  /** The demo runner's process (the tsx launcher; the runner and the services run below it). */
  readonly pid: number;
  /** The run's id, once the demo has created its topics: their prefix and its groups' (`<runId>-<role>`). */
  readonly runId: Promise<string>;
  /** The final summary, checked (checkDemo). */
  readonly report: Promise<DemoReport>;
}

/** The line run-demo.ts writes once its topics exist. */
const TOPICS_CREATED = /topics created under the prefix (\S+)/;

export function startDemo(events: number, rate: number, args: readonly string[]): DemoRun {
  const child = spawn(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [join(ROOT, 'demo', 'run-demo.ts'), '--events', String(events), '--rate', String(rate), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
  );
  if (child.pid === undefined) throw new Error('the demo did not start');
  let foundRunId: (id: string) => void = () => undefined;
  const runId = new Promise<string>((done) => (foundRunId = done));
  let stdout = '';
  let stderr = '';
  let lastLine = 0;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    const id = TOPICS_CREATED.exec(stderr)?.[1];
    if (id) foundRunId(id);
    if (Date.now() - lastLine < 5_000) return;
    lastLine = Date.now();
    const lines = d.toString().trim().split('\n');
    progress(`demo: ${(lines[lines.length - 1] ?? '').trim()}`);
  });
  const report = new Promise<DemoReport>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => {
      const line = stdout
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (!line) {
        fail(new Error(`demo exited ${String(code)} without a summary`));
        return;
      }
      try {
        const parsed = JSON.parse(line) as DemoReport;
        checkDemo(parsed, events, line);
        done(parsed);
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
  return { pid: child.pid, runId, report };
}

/** The services under a demo run by name (their entry is `dist/apps/<name>/src/main.js`). */
const SERVICE_ENTRY = /\/dist\/apps\/([\w-]+)\/src\/main\.js\b/;

/**
 * The processes of a demo run by role: each service by its name, and the demo runner (replay
 * producer, latency tail, progress scrapes; with its tsx launcher) as `producer`. Read once the
 * services are up.
 */
export function demoProcessRoles(demoPid: number): ProcessRoles {
  const roles: Record<string, number[]> = { producer: [demoPid] };
  for (const pid of descendantsOf(demoPid)) {
    const service = SERVICE_ENTRY.exec(commandLineOf(pid))?.[1];
    const role = service ?? 'producer';
    roles[role] = [...(roles[role] ?? []), pid];
  }
  return roles;
}
