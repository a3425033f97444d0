import { join } from 'node:path';
import { Command } from 'commander';
import {
  createDecoder,
  loadSchemaHistory,
  type Decoder,
  type DriftAlert,
  type DriftReport,
  type RetrainingTrigger,
} from '@streamscore/contracts';
import { cliContext } from '../cli-env';
import { alertLine, reportLine, triggerLine } from '../drift/drift-lines';
import { readTopics } from '../kafka/topic-reader';
import { positiveInt } from './option-parsers';

interface DriftOptions {
  readonly follow: boolean;
  readonly fromBeginning?: boolean;
  readonly max?: number;
  readonly reports: boolean;
}

type Line = (record: Record<string, unknown>) => string;

/** `streamscore drift`: alerts, reports and retraining triggers as one readable line each. */
export function driftCommand(): Command {
  return new Command('drift')
    .description('follow drift alerts, window reports and retraining triggers, one readable line each')
    .option('--from-beginning', 'start at the oldest record instead of the newest')
    .option('--no-follow', 'stop at the end of the topics (reads them from the beginning)')
    .option('--no-reports', 'alerts and retraining triggers only')
    .option('--max <n>', 'stop after this many records', positiveInt)
    .action(async (options: DriftOptions) => {
      const context = cliContext();
      const decoderOf = (schema: string): Decoder<Record<string, unknown>> =>
        createDecoder(loadSchemaHistory(join(context.schemasDir, schema)));
      const lines = new Map<string, { decoder: Decoder<Record<string, unknown>>; line: Line }>([
        [
          context.topics.name('driftAlerts'),
          { decoder: decoderOf('drift-alert'), line: (r) => alertLine(r as unknown as DriftAlert) },
        ],
        [
          context.topics.name('retrainingTriggers'),
          {
            decoder: decoderOf('retraining-trigger'),
            line: (r) => triggerLine(r as unknown as RetrainingTrigger),
          },
        ],
      ]);
      if (options.reports) {
        lines.set(context.topics.name('driftReports'), {
          decoder: decoderOf('drift-report'),
          line: (r) => reportLine(r as unknown as DriftReport),
        });
      }
      if (options.follow && options.fromBeginning !== true) {
        // Nothing is printed until the monitor writes again, which may be a window away.
        process.stderr.write(
          `waiting for new records on ${[...lines.keys()].join(', ')} (--from-beginning shows the history, --no-follow reads it and stops)\n`,
        );
      }
      await readTopics({
        kafka: context.kafka,
        topicPrefix: context.topicPrefix,
        topics: [...lines.keys()],
        follow: options.follow,
        fromBeginning: options.fromBeginning === true,
        ...(options.max !== undefined ? { max: options.max } : {}),
        onMessage: async (message) => {
          const entry = lines.get(message.topic);
          if (entry === undefined) return;
          const result = await entry.decoder.decode(message.value, message.headers);
          process.stdout.write(
            result.ok
              ? `${entry.line(result.record)}\n`
              : `${message.topic} ${message.partition}:${message.offset}: undecodable (${result.code}: ${result.reason})\n`,
          );
        },
      });
    });
}
