import type { IHeaders } from 'kafkajs';
import { entityKeyOf, Headers, type DeadLetterCode, type Decoder } from '@streamscore/contracts';
import { deadLetter, type OutputMessage, type PartitionBatch } from '@streamscore/kafka';

/** Where records of one input topic go. */
export interface GateRoute {
  readonly decoder: Decoder<Record<string, unknown>>;
  readonly validTopic: string;
  readonly deadLetterTopic: string;
  readonly keyFields: readonly string[];
  readonly schemaName: string;
}

export interface GateCounts {
  valid: number;
  deadLettered: Map<DeadLetterCode, number>;
}

/**
 * The gate: every input record becomes exactly one output, a validated record (canonical
 * single-object Avro, keyed by its entity key, original headers kept) or a dead letter (original
 * key, bytes and headers, plus reason headers). Deterministic, so a retried batch yields the same
 * outputs. Throws only a RetriableError (schema registry unreachable).
 */
export class ValidationGate {
  constructor(private readonly routes: ReadonlyMap<string, GateRoute>) {}

  async handle(batch: PartitionBatch): Promise<{ outputs: OutputMessage[]; counts: GateCounts }> {
    const route = this.routes.get(batch.topic);
    if (!route) throw new Error(`no route for input topic ${batch.topic}`);
    const outputs: OutputMessage[] = [];
    const counts: GateCounts = { valid: 0, deadLettered: new Map() };
    for (const message of batch.messages) {
      const result = await route.decoder.decode(message.value, message.headers);
      if (result.ok) {
        counts.valid++;
        outputs.push({
          topic: route.validTopic,
          key: entityKeyOf(result.record, route.keyFields),
          value: result.canonical,
          headers: validatedHeaders(message.headers, route.schemaName),
        });
      } else {
        counts.deadLettered.set(result.code, (counts.deadLettered.get(result.code) ?? 0) + 1);
        outputs.push(
          deadLetter(message, batch, route.deadLetterTopic, result.code, result.reason, result.fields),
        );
      }
    }
    return { outputs, counts };
  }
}

function validatedHeaders(original: IHeaders | undefined, schemaName: string): IHeaders {
  const headers: IHeaders = { ...(original ?? {}) };
  headers[Headers.contentType] = 'application/vnd.apache.avro';
  headers[Headers.schemaName] = schemaName;
  return headers;
}
