/**
 * Trains the demo flight-delay model and writes models/<name>/<version>/{model.onnx, manifest.json}.
 *
 *   npx tsx demo/flights/train.ts --from 2001-01-01 --to 2001-01-25 --version 1 [--seed 1] [--out models]
 *
 * [from, to) trains; the following --validation-days (7) are held out for the reported metrics.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { formatManifest } from '@streamscore/models';
import { runTraining, type TrainOptions } from '@streamscore/training';
import { FLIGHT_FEATURE_VIEWS_PATH, loadFlightFeatureViews } from './feature-views';
import { FLIGHT_DELAY_OUTPUT, flightDelayBlueprints } from './model/flight-delay-blueprint';
import { loadTrainingWindows } from './model/training-data';

export const MODEL_NAME = 'flight-delay';

/** A small MLP: fits in seconds on 2 cores and beats logistic regression on the interactions. */
export const HYPERPARAMETERS: Omit<TrainOptions, 'seed' | 'onProgress'> = {
  hidden: [16],
  epochs: 3,
  batchSize: 256,
  learningRate: 0.002,
  l2: 1e-5,
};

function utcDate(value: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgumentError('expected YYYY-MM-DD');
  return Date.parse(`${value}T00:00:00Z`);
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return number;
}

function integer(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new InvalidArgumentError('expected an integer');
  return number;
}

/**
 * The stages' progress on stderr (stdout stays clean), drawn by cli-progress: one bar per stage,
 * redrawn in place on a terminal; in a log (CI), a line when a stage starts, at each 10% step and
 * when it ends (noTTYOutput). A new stage ends the one before, which then shows 100%. stop() ends
 * the last stage (at 100% when the run completed) and the bar's timer, which would otherwise keep
 * the process alive.
 */
function stageProgress(stream: NodeJS.WriteStream = process.stderr): {
  report: (stage: string, done: number) => void;
  stop: (completed: boolean) => void;
} {
  let bar: SingleBar | undefined;
  let stage = '';
  let step = 0;
  const stop = (completed: boolean): void => {
    if (completed) bar?.update(1);
    bar?.stop();
    bar = undefined;
  };
  const report = (label: string, done: number): void => {
    const nextStep = Math.floor(done * 10);
    if (bar === undefined || label !== stage) {
      stop(true);
      stage = label;
      bar = new SingleBar({
        stream,
        format: '{stage} [{bar}] {percentage}%',
        barsize: 30,
        barCompleteChar: '#',
        barIncompleteChar: '-',
        autopadding: true,
        linewrap: true, // cut to the terminal's width; leave its line wrapping alone
        noTTYOutput: true,
        notTTYSchedule: 5_000,
        clearOnComplete: !stream.isTTY, // in a log, stop() would add an empty line
      });
      bar.start(1, done, { stage: label.padEnd(10) });
    } else {
      bar.update(done);
      // runTraining is synchronous, so cli-progress's timer cannot draw log lines while it runs:
      // each 10% step is drawn here (a stage's 100% line is drawn by stop()).
      if (!stream.isTTY && nextStep !== step && done < 1) bar.render();
    }
    step = nextStep;
  };
  return { report, stop };
}

interface Arguments {
  from: number;
  to: number;
  version: number;
  seed: number;
  out: string;
  validationDays: number;
  featureViews: string;
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('train')
    .description('train the demo flight-delay model on the flights data')
    .requiredOption('--from <date>', 'first training day (UTC), inclusive', utcDate)
    .requiredOption('--to <date>', 'end of training (UTC), exclusive; held-out days follow', utcDate)
    .requiredOption('--version <n>', 'model version to write', positiveInteger)
    .option('--seed <n>', 'PRNG seed (initialisation, shuffles, KS sample)', integer, 1)
    .option('--out <dir>', 'model repository root', 'models')
    .option('--validation-days <n>', 'held-out days after --to', positiveInteger, 7)
    .option('--feature-views <path>', 'feature view definitions', FLIGHT_FEATURE_VIEWS_PATH)
    .parse(argv, { from: 'user' });
  const args = program.opts<Arguments>();
  const started = Date.now();
  const views = loadFlightFeatureViews(args.featureViews);
  const progress = stageProgress();
  let trained: ReturnType<typeof runTraining>;
  let completed = false;
  try {
    progress.report('load', 0);
    const windows = await loadTrainingWindows(views, args.from, args.to, args.validationDays);
    progress.report('load', 1);
    const command = `npx tsx demo/flights/train.ts ${argv.join(' ')}`;
    trained = runTraining({
      name: MODEL_NAME,
      version: args.version,
      createdAt: new Date().toISOString(),
      description: 'Demo model: US domestic flights 2001, departure delayed more than 15 minutes.',
      command,
      blueprints: flightDelayBlueprints(views),
      inputTensor: 'features',
      output: FLIGHT_DELAY_OUTPUT,
      train: windows.train,
      validation: windows.validation,
      hyperparameters: { ...HYPERPARAMETERS, seed: args.seed },
      onProgress: progress.report,
    });
    completed = true;
  } finally {
    progress.stop(completed);
  }
  const { manifest, onnx } = trained;
  const directory = join(args.out, MODEL_NAME, String(args.version));
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, manifest.model.file), onnx);
  await writeFile(join(directory, 'manifest.json'), formatManifest(manifest));
  const { auc, logLoss, baselines } = manifest.metrics.validation;
  const single = baselines.bestSingleFeature;
  process.stderr.write(
    [
      `wrote ${directory} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `train rows ${manifest.training.rows}, held-out rows ${manifest.training.validationRows}`,
      `held-out AUC ${auc.toFixed(4)}, log-loss ${logLoss.toFixed(4)}`,
      `base rate log-loss ${baselines.baseRate.logLoss.toFixed(4)}`,
      `best single feature (${single.feature}) AUC ${single.auc.toFixed(4)}, log-loss ${single.logLoss.toFixed(4)}`,
      '',
    ].join('\n'),
  );
  if (logLoss >= baselines.baseRate.logLoss || logLoss >= single.logLoss || auc <= single.auc) {
    process.stderr.write('the model does not beat both baselines on the held-out days\n');
    process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
