/**
 * What every service reads from a stream record by the pipeline's field names (`keyFields`,
 * `idField`, `timeField` of a stream in the pipeline file): its entity key, its event id and its
 * event time. Ingestion keys validated records with the entity key, the CLI keys produced records
 * with it, inference and features read id and time: one rule each, here, so that they agree.
 */

/** A decoded record; typed records (interfaces without an index signature) are read by field name. */
type StreamRecord = object;

function fieldOf(record: StreamRecord, field: string): unknown {
  return (record as Readonly<Record<string, unknown>>)[field];
}

/** Separator between the key fields' values in an entity key (`JFK|LAX`). */
export const ENTITY_KEY_SEPARATOR = '|';

// An ISO 8601 date-time with an explicit offset: without one, Date.parse reads local time, which
// would make the event time depend on the zone of the replica that reads it.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * A field value as text: strings as they are, numbers, bigints and booleans by String, anything
 * else (a record, an array, bytes) as JSON; undefined for null or a missing field.
 */
export function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value === null || value === undefined) return undefined;
  return JSON.stringify(value);
}

/**
 * The entity key: the key fields' values as text joined with '|' (`JFK`, `JFK|LAX`), a missing
 * value as ''. It is the Kafka key of validated records, so it decides their partition: changing
 * this rule moves entities between partitions.
 */
export function entityKeyOf(record: StreamRecord, keyFields: readonly string[]): string {
  return keyFields.map((field) => fieldText(fieldOf(record, field)) ?? '').join(ENTITY_KEY_SEPARATOR);
}

/** The event id (the idField's value as text); undefined when missing, null or empty. */
export function eventIdOf(record: StreamRecord, idField: string): string | undefined {
  const id = fieldText(fieldOf(record, idField));
  return id === '' ? undefined : id;
}

/** Epoch ms of a time value under the one event-time rule (eventTimeOf); undefined if unusable. */
export function epochMsOf(value: unknown): number | undefined {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'bigint') ms = Number(value);
  // avsc decodes timestamp-millis to a Date when a logical type is registered for it.
  else if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') return isoInstantMs(value);
  else return undefined;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The event time in epoch ms: a finite number (epoch ms, Avro long/timestamp-millis), a bigint, a
 * valid Date, or an ISO 8601 instant with an explicit offset (`2001-01-05T10:00:00Z`,
 * `…+05:30`). Undefined for anything else: missing, NaN, ±Infinity, an invalid Date, text that is
 * not such an instant (a bare date, a local time, an impossible date like 02-30).
 */
export function eventTimeOf(record: StreamRecord, timeField: string): number | undefined {
  return epochMsOf(fieldOf(record, timeField));
}

/** Epoch ms of an ISO 8601 instant with an explicit offset, undefined for any other text. */
export function isoInstantMs(text: string): number | undefined {
  const match = ISO_INSTANT.exec(text);
  if (!match) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return undefined;
  // Date.parse rolls impossible fields over (02-30 → 03-02, 24:00 → next day): read the fields
  // back in the text's own offset and refuse the text when they differ.
  const [, year, month, day, hour, minute, second = '00', zone, sign, offsetHours, offsetMinutes] = match;
  const offsetMs =
    zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMs).toISOString();
  return local.startsWith(`${year}-${month}-${day}T${hour}:${minute}:${second}`) ? ms : undefined;
}
