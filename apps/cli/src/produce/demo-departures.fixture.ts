import { join } from 'node:path';
import { createDecoder, loadSchemaHistory, type DecoderOptions } from '@streamscore/contracts';
import { loadPipelineConfig, type PipelineConfig } from '@streamscore/platform';
import { RecordEncoder } from './record-encoder';

/** The flights demo's pipeline, for the produce specs. */
export const DEMO_PIPELINE: PipelineConfig = loadPipelineConfig(
  join(__dirname, '..', '..', '..', '..', 'demo', 'flights', 'pipeline.json'),
);

/** An Avro encoder of the demo's departures with the given decoder checks, as produce wires one. */
export function departureEncoder(checks: DecoderOptions): RecordEncoder {
  const stream = DEMO_PIPELINE.streams.events;
  return new RecordEncoder(
    createDecoder(loadSchemaHistory(stream.schemaDir), checks),
    stream.keyFields,
    'avro',
  );
}

/** One JSONL line of a valid departure, with `extra` fields replaced. */
export const departureLine = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    eventId: 'e-1',
    scheduledAt: 978336000000,
    origin: 'SFO',
    destination: 'LAX',
    distance: 337,
    ...extra,
  });
