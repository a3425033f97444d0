import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import { createDecoder, loadSchemaHistory } from '@streamscore/contracts';
import { parseFeatureViews } from '@streamscore/features';
import { ModelRepository } from '@streamscore/models';
import type { StreamConfig } from '@streamscore/platform';
import { cliContext, type CliContext } from '../cli-env';
import { missingTopics } from '../kafka/topic-check';
import { deploymentWriter, servedVersion, type ServedVersion } from '../models/served-version';
import { readRecords } from '../io/read-records';
import { RecordFormats, resolveFormat, toJsonLine, type InputRecord } from '../io/record-formats';
import { fieldKinds } from '../io/schema-coercion';
import { ProgressBar } from '../progress/progress-bar';
import { scoreRecords } from '../scoring/batch-score';
import { positiveInt } from './option-parsers';

interface ScoreOptions {
  readonly file: string;
  readonly out: string;
  readonly outcomes?: string;
  readonly format?: string;
  readonly pipeline?: string;
  readonly model?: string;
  readonly version?: number;
  readonly batchSize: number;
}

/** Reads a file of a stream's records, checked and normalised by its latest schema (defaults filled). */
export async function readStreamFile(
  stream: StreamConfig,
  file: string,
  format: string | undefined,
): Promise<InputRecord[]> {
  const history = loadSchemaHistory(stream.schemaDir);
  const decoder = createDecoder(history);
  const records = await readRecords(file, resolveFormat(format, file), fieldKinds(history.latest.schema));
  return records.map((record, index) => {
    const result = decoder.fromJson(record);
    if (!result.ok) throw new Error(`${file} record ${index + 1}: ${result.code}: ${result.reason}`);
    return result.record;
  });
}

/**
 * The version the services serve as active, said on stderr; the repository's latest when this
 * catalogue has no deployments topic or it cannot be read (scoring a file needs no cluster).
 */
async function defaultVersion(context: CliContext, repositoryRoot: string, model: string): Promise<number> {
  const topic = context.topics.name('modelDeployments');
  const latest = (why: string): Promise<ServedVersion> =>
    new ModelRepository(repositoryRoot)
      .latestVersion(model)
      .then((version) => ({ version, why: `${why}: the repository's latest version` }));
  let served: ServedVersion;
  try {
    served =
      (await missingTopics(context.kafka, [topic])).length === 0
        ? await servedVersion(
            await deploymentWriter(context, repositoryRoot).current(model),
            repositoryRoot,
            model,
          )
        : await latest(`no topic ${topic}`);
  } catch (error) {
    served = await latest(`${topic} could not be read (${(error as Error).message})`);
  }
  process.stderr.write(`scoring with ${model} v${served.version}: ${served.why}\n`);
  return served.version;
}

/** `streamscore score`: batch inference on a file for backfills, predictions to a JSONL file. */
export function scoreCommand(): Command {
  return new Command('score')
    .description('score a file of events offline (same model, offline feature computation) into a JSONL file')
    .requiredOption('--file <file>', 'events to score (JSON, JSONL, CSV or Parquet)')
    .requiredOption('--out <file>', 'predictions, one JSON line per scored event')
    .option(
      '--outcomes <file>',
      'outcomes that feed the outcome-based feature views (none: those features see empty windows)',
    )
    .addOption(
      new Option('--format <format>', 'format of --file (default: from its extension)').choices(
        RecordFormats,
      ),
    )
    .option(
      '--pipeline <file>',
      'pipeline file: schemas, feature views, model repository (default: $STREAMSCORE_PIPELINE)',
    )
    .option('--model <name>', 'model name (default: the pipeline’s model)')
    .option(
      '--version <n>',
      'model version (default: the one the services serve as active: the deployed active version, else the repository’s latest)',
      positiveInt,
    )
    .option('--batch-size <n>', 'events per ONNX Runtime run', positiveInt, 1024)
    .action(async (options: ScoreOptions) => {
      const context = cliContext();
      const pipeline = context.pipeline(options.pipeline);
      const events = await readStreamFile(pipeline.streams.events, options.file, options.format);
      const outcomes =
        options.outcomes === undefined
          ? []
          : await readStreamFile(pipeline.streams.outcomes, options.outcomes, undefined);
      const views = parseFeatureViews(
        JSON.parse(await readFile(pipeline.featureViews, 'utf8')),
        pipeline.featureViews,
      );
      const repository = new ModelRepository(pipeline.modelRepository);
      const name = options.model ?? pipeline.model;
      const version = options.version ?? (await defaultVersion(context, pipeline.modelRepository, name));
      const model = await repository.load(name, version);
      const out = createWriteStream(options.out);
      const progress = new ProgressBar(`score ${name} v${version}`, events.length);
      const problems: string[] = [];
      try {
        const counts = await scoreRecords({
          model,
          views,
          stream: pipeline.streams.events,
          events,
          sources: { events, outcomes },
          batchSize: options.batchSize,
          onBatch: async (scored, unscored) => {
            const text = scored.map((row) => `${toJsonLine(row)}\n`).join('');
            if (!out.write(text)) await once(out, 'drain');
            for (const row of unscored) {
              problems.push(`event ${row.eventId}: ${row.issues.map((issue) => issue.message).join('; ')}`);
            }
            progress.advance(scored.length + unscored.length);
          },
        });
        progress.finish();
        for (const problem of problems.slice(0, 10)) process.stderr.write(`not scored: ${problem}\n`);
        process.stdout.write(
          `scored ${counts.scored} event(s) with ${name} v${version} into ${options.out}` +
            (counts.unscored > 0 ? `; ${counts.unscored} could not be scored (missing features)\n` : '\n'),
        );
      } finally {
        progress.finish(); // idempotent: here for a failed run, whose bar must stop too
        out.end();
        await once(out, 'close');
        await model.session.release();
      }
    });
}
