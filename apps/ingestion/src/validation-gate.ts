import type { IHeaders } from 'kafkajs';
import {
  decodeFailure,
  entityKeyOf,
  eventTimeOf,
  headerText,
  Headers,
  type DeadLetterCode,
  type Decoder,
  type DecodeResult,
} from '@streamscore/contracts';
import { deadLetter, type OutputMessage, type PartitionBatch } from '@streamscore/kafka';
import type { EventIdClaims } from './event-id-claims';

/** Where records of one input topic go. */
export interface GateRoute {
  readonly decoder: Decoder<Record<string, unknown>>;
  readonly validTopic: string;
  readonly deadLetterTopic: string;
  readonly keyFields: readonly string[];
  readonly schemaName: string;
  /** The stream's event-time field: the greatest valid one is the progress committed with the offsets. */
  readonly timeField: string;
  /** Set for a stream with `deduplicateWithinMs`: its id field and the claims store. */
  readonly deduplication?: { readonly idField: string; readonly claims: EventIdClaims };
}

export interface GateCounts {
  valid: number;
  /** Records of a deduplicated stream that found their own event-id claim (a replay). */
  replayedClaims: number;
  deadLettered: Map<DeadLetterCode, number>;
}

export interface GateResult {
  readonly outputs: OutputMessage[];
  readonly counts: GateCounts;
  /** Greatest event time among the valid records; undefined when none has one. */
  readonly eventTimeMs: number | undefined;
}

/**
 * The gate: every input record becomes exactly one output, a validated record (canonical
 * single-object Avro, keyed by its entity key, original headers kept) or a dead letter (original
 * key, bytes and headers, plus reason headers). Deterministic, so a retried batch yields the same
 * outputs (event-id claims included: a record's own claim never makes it a duplicate). Throws only
 * a RetriableError (schema registry or Redis unreachable).
 */
export class ValidationGate {
  constructor(private readonly routes: ReadonlyMap<string, GateRoute>) {}

  async handle(batch: PartitionBatch): Promise<GateResult> {
    const route = this.routes.get(batch.topic);
    if (!route) throw new Error(`no route for input topic ${batch.topic}`);
    const decoded: Decoded[] = [];
    for (const message of batch.messages)
      decoded.push(await route.decoder.decode(message.value, message.headers));
    const { results, replayed } = route.deduplication
      ? await withoutDuplicates(route, batch, decoded)
      : { results: decoded, replayed: 0 };
    const outputs: OutputMessage[] = [];
    const counts: GateCounts = { valid: 0, replayedClaims: replayed, deadLettered: new Map() };
    let eventTimeMs: number | undefined;
    batch.messages.forEach((message, i) => {
      const result = results[i] as Decoded;
      if (result.ok) {
        counts.valid++;
        const time = eventTimeOf(result.record, route.timeField);
        if (time !== undefined && (eventTimeMs === undefined || time > eventTimeMs)) eventTimeMs = time;
        const claim = route.deduplication ? positionOf(batch, message) : undefined;
        outputs.push({
          topic: route.validTopic,
          key: entityKeyOf(result.record, route.keyFields),
          value: result.canonical,
          headers: validatedHeaders(message.headers, route.schemaName, claim),
        });
      } else {
        counts.deadLettered.set(result.code, (counts.deadLettered.get(result.code) ?? 0) + 1);
        outputs.push(
          deadLetter(message, batch, route.deadLetterTopic, result.code, result.reason, result.fields),
        );
      }
    });
    return { outputs, counts, eventTimeMs };
  }
}

type Decoded = DecodeResult<Record<string, unknown>>;

/** `partition:offset` of an input record: the value of the claim it makes. */
function positionOf(batch: PartitionBatch, message: { readonly offset: string }): string {
  return `${batch.partition}:${message.offset}`;
}

/**
 * The results with each valid record whose id another input record holds turned into a DUPLICATE
 * failure (EventIdClaims says who holds what, and why a replay holds its own claim).
 */
async function withoutDuplicates(
  route: GateRoute,
  batch: PartitionBatch,
  decoded: readonly Decoded[],
): Promise<{ results: Decoded[]; replayed: number }> {
  const { idField, claims } = route.deduplication as NonNullable<GateRoute['deduplication']>;
  const valid = decoded.flatMap((result, i) => (result.ok ? [{ i, record: result.record }] : []));
  const requests = valid.map(({ i, record }) => {
    const message = batch.messages[i] as PartitionBatch['messages'][number];
    return {
      id: String(record[idField]),
      position: positionOf(batch, message),
      replaces: headerText(message.headers, Headers.eventClaim),
    };
  });
  const { holders, replayed } = await claims.claim(batch.topic, requests);
  const results = [...decoded];
  valid.forEach(({ i }, j) => {
    const { id, position } = requests[j] as (typeof requests)[number];
    const holder = holders[j];
    if (holder !== position) results[i] = duplicate(idField, id, holder ?? '?', batch.partition);
  });
  return { results, replayed };
}

function duplicate(idField: string, id: string, holder: string, partition: number): Decoded {
  const [p, offset] = holder.split(':');
  const where = Number(p) === partition ? `offset ${offset}` : `partition ${p} offset ${offset}`;
  return decodeFailure(
    'DUPLICATE',
    `${idField} ${JSON.stringify(id)} was already accepted from this topic at ${where}`,
    [idField],
  );
}

function validatedHeaders(
  original: IHeaders | undefined,
  schemaName: string,
  claim: string | undefined,
): IHeaders {
  const headers: IHeaders = { ...(original ?? {}) };
  // On a deduplicated stream ours replaces any a client sent; elsewhere the header means nothing.
  if (claim !== undefined) headers[Headers.eventClaim] = claim;
  headers[Headers.contentType] = 'application/vnd.apache.avro';
  headers[Headers.schemaName] = schemaName;
  return headers;
}
