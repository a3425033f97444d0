import { isRetriable } from '../errors';
import { ContentTypes, Headers } from '../headers';
import type { SchemaSource } from '../schema-registry/schema-source';
import { boundedType, type ContainerBudget, type ContainerLimits } from './bounded-types';
import { DecodeError } from './decode-error';
import {
  decodeFailure,
  failureFromError,
  type DecodeFailure,
  type DecodeResult,
  type MessageHeaders,
  type WireFormat,
} from './decode-result';
import { compileFieldRuleCheck, type FieldRules } from './field-rules';
import { compileFieldSizeCheck, type FieldSizeLimits } from './field-sizes';
import { compileFiniteCheck } from './finite-check';
import { prepareJsonRecord, validateJsonRecord } from './json-record';
import { registryWriter, type WriterSchema } from './registry-writer';
import type { SchemaHistory } from './schema-history';
import {
  CONFLUENT_HEADER_BYTES,
  CONFLUENT_MAGIC_BYTE,
  encodeSingleObject,
  hasSingleObjectMagic,
  SINGLE_OBJECT_HEADER_BYTES,
  singleObjectHeader,
} from './single-object';

/**
 * The field size limits (FieldSizeLimits: `maxStringBytes` for any string, bytes value or map key,
 * `maxKeyFieldBytes` for each of `keyFields`) are checked on every decoded record, Avro or JSON, when
 * given: TOO_LARGE naming the fields. They have no defaults here: the pipeline file has them
 * (libs/platform pipeline-config.ts), and decoders of records already past the gate need not check.
 * So do the pipeline's field rules (`rules`: OUT_OF_RANGE, field-rules.ts).
 */
export interface DecoderOptions extends FieldSizeLimits {
  /** Payloads above this are TOO_LARGE before any parsing. */
  readonly maxMessageBytes?: number;
  /** Most array items per message, all arrays together (LIMIT_EXCEEDED above). */
  readonly maxArrayItems?: number;
  /** Most map entries per message, all maps together (LIMIT_EXCEEDED above). */
  readonly maxMapEntries?: number;
  /** Enables the Confluent wire format (`0x00` + 4-byte schema id). */
  readonly registry?: SchemaSource;
  /** Constraints beyond the schema (OUT_OF_RANGE), checked after the size and finite checks. */
  readonly rules?: FieldRules;
  /** The ingestion time for `rules.eventTimeWindow` (Date.now unless a test injects a clock). */
  readonly now?: () => number;
}

export const DEFAULT_DECODER_LIMITS = {
  maxMessageBytes: 1_048_576,
  maxArrayItems: 10_000,
  maxMapEntries: 10_000,
} as const satisfies DecoderOptions;

export interface Decoder<T> {
  readonly history: SchemaHistory;
  /**
   * Decodes one message value. Resolves a failure for bad data; rejects only with a RetriableError
   * (schema registry unreachable), in which case nothing should be dead-lettered. The one error
   * rule: bad data is never thrown: it becomes a dead-letter output with its code. A retriable
   * error is retried with backoff until it succeeds or the service stops. Any other thrown error is
   * a bug: the service stops loudly, offsets uncommitted.
   */
  decode(value: Buffer | null, headers?: MessageHeaders): Promise<DecodeResult<T>>;
  /** Validates an already-parsed JSON value (e.g. one element of an HTTP batch). */
  fromJson(value: unknown): DecodeResult<T>;
}

const BINARY_MEDIA_TYPES = new Set<string>([ContentTypes.avro, 'application/octet-stream', 'avro/binary']);

function mediaType(headers: MessageHeaders | undefined): string | undefined {
  const raw = headers?.[Headers.contentType];
  const first = Array.isArray(raw)
    ? (raw as readonly (Buffer | string)[])[0]
    : (raw as Buffer | string | undefined);
  if (first === undefined) return undefined;
  const text = typeof first === 'string' ? first : first.toString('latin1');
  return (text.split(';', 1)[0] ?? '').trim().toLowerCase();
}

export function createDecoder<T = Record<string, unknown>>(
  history: SchemaHistory,
  options: DecoderOptions = {},
): Decoder<T> {
  const { maxMessageBytes, maxArrayItems, maxMapEntries, registry, rules, now, ...fieldSizeLimits } = {
    ...DEFAULT_DECODER_LIMITS,
    ...options,
  };
  const limits: ContainerLimits = { maxArrayItems, maxMapEntries };
  const budget: ContainerBudget = { arrayItems: maxArrayItems, mapEntries: maxMapEntries };
  const latest = history.latest;
  const reader = boundedType(latest.schema, limits, budget);
  const finiteFailures = compileFiniteCheck(reader, latest.schema);
  const oversizedFields = compileFieldSizeCheck(reader, fieldSizeLimits);
  const outOfRange = compileFieldRuleCheck(rules ?? {}, now);
  const writers: WriterSchema[] = history.versions.map((version) => {
    const isLatest = version === latest;
    return {
      version: version.version,
      fingerprint: version.fingerprint,
      fingerprintLow: Number(version.fingerprint & 0xffffffffn),
      fingerprintHigh: Number(version.fingerprint >> 32n),
      resolver: isLatest ? undefined : reader.createResolver(boundedType(version.schema, limits, budget)),
      isLatest,
    };
  });
  const registryWriters = new Map<number, WriterSchema | DecodeFailure>();

  /** Reads the datum at `offset` to its end: truncated, trailing and non-finite data are failures. */
  function readDatum(buffer: Buffer, offset: number, writer: WriterSchema): { record: T } | DecodeFailure {
    budget.arrayItems = maxArrayItems;
    budget.mapEntries = maxMapEntries;
    let decoded: { value: unknown; offset: number };
    try {
      decoded = reader.decode(buffer, offset, writer.resolver);
    } catch (error) {
      if (error instanceof DecodeError) return failureFromError(error);
      return decodeFailure('MALFORMED', `not a valid ${history.name} datum: ${(error as Error).message}`);
    }
    if (decoded.offset < 0)
      return decodeFailure('TRUNCATED', `payload ends inside the ${history.name} datum`);
    if (decoded.offset < buffer.length) {
      return decodeFailure(
        'TRAILING_BYTES',
        `${buffer.length - decoded.offset} bytes after the ${history.name} datum`,
      );
    }
    const oversized = oversizedFields(decoded.value);
    if (oversized) return oversized;
    const nonFinite = finiteFailures(decoded.value);
    if (nonFinite.length > 0) return notFinite(nonFinite);
    const broken = outOfRange(decoded.value);
    if (broken) return broken;
    return { record: decoded.value as T };
  }

  function notFinite(fields: string[]): DecodeFailure {
    return decodeFailure('NOT_FINITE', `NaN or Infinity at ${fields.join(', ')}`, fields);
  }

  function success(record: T, writer: WriterSchema, format: WireFormat, canonical: Buffer): DecodeResult<T> {
    return { ok: true, record, writerVersion: writer.version, format, canonical };
  }

  function decodeSingleObject(value: Buffer): DecodeResult<T> {
    if (value.length < SINGLE_OBJECT_HEADER_BYTES)
      return decodeFailure('TRUNCATED', 'single-object header is cut short');
    const low = value.readUInt32LE(2);
    const high = value.readUInt32LE(6);
    const writer = writers.find((w) => w.fingerprintLow === low && w.fingerprintHigh === high);
    if (!writer) {
      const fingerprint = value.readBigUInt64LE(2).toString(16).padStart(16, '0');
      return decodeFailure(
        'UNKNOWN_SCHEMA',
        `fingerprint ${fingerprint} is not a known version of ${history.name}`,
      );
    }
    const read = readDatum(value, SINGLE_OBJECT_HEADER_BYTES, writer);
    if (!('record' in read)) return read;
    // Already canonical: pass the bytes through instead of re-encoding.
    const canonical = writer.isLatest ? value : encodeSingleObject(latest.type, read.record);
    return success(read.record, writer, 'single-object', canonical);
  }

  async function confluentWriter(id: number): Promise<WriterSchema | DecodeFailure> {
    const cached = registryWriters.get(id);
    if (cached) return cached;
    if (!registry)
      return decodeFailure('UNSUPPORTED_FORMAT', 'Confluent wire format needs a schema registry');
    const found = await registry.getSchema(id);
    if (!found) return decodeFailure('UNKNOWN_SCHEMA', `schema id ${id} is not in the schema registry`);
    const writer = registryWriter(found, { reader, readerName: history.name, writers, limits, budget });
    registryWriters.set(id, writer);
    return writer;
  }

  async function decodeConfluent(value: Buffer): Promise<DecodeResult<T>> {
    if (value.length < CONFLUENT_HEADER_BYTES)
      return decodeFailure('TRUNCATED', 'Confluent header is cut short');
    const writer = await confluentWriter(value.readUInt32BE(1));
    if ('ok' in writer) return writer;
    const read = readDatum(value, CONFLUENT_HEADER_BYTES, writer);
    if (!('record' in read)) return read;
    const canonical = writer.isLatest
      ? Buffer.concat([singleObjectHeader(latest.type), value.subarray(CONFLUENT_HEADER_BYTES)])
      : encodeSingleObject(latest.type, read.record);
    return success(read.record, writer, 'confluent', canonical);
  }

  function fromJson(parsed: unknown): DecodeResult<T> {
    try {
      const unknownFields = prepareJsonRecord(reader, parsed, limits);
      const invalid = validateJsonRecord(reader, parsed, unknownFields);
      if (invalid) return failureFromError(invalid);
      const oversized = oversizedFields(parsed);
      if (oversized) return oversized;
      const nonFinite = finiteFailures(parsed);
      if (nonFinite.length > 0) return notFinite(nonFinite);
      const broken = outOfRange(parsed);
      if (broken) return broken;
      const canonical = encodeSingleObject(latest.type, parsed);
      // Decoding our own bytes normalises the shape (record class, nulls for absent optionals).
      const record = latest.type.decode(canonical, SINGLE_OBJECT_HEADER_BYTES).value as T;
      return { ok: true, record, writerVersion: null, format: 'json', canonical };
    } catch (error) {
      if (error instanceof DecodeError) return failureFromError(error);
      return decodeFailure('INVALID_FIELD', `not a valid ${history.name}: ${(error as Error).message}`);
    }
  }

  function decodeJson(value: Buffer): DecodeResult<T> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.toString('utf8'));
    } catch (error) {
      return decodeFailure('MALFORMED', `invalid JSON: ${(error as Error).message}`);
    }
    return fromJson(parsed);
  }

  async function decodeUnchecked(
    value: Buffer | null,
    headers: MessageHeaders | undefined,
  ): Promise<DecodeResult<T>> {
    if (value === null || value.length === 0) return decodeFailure('MALFORMED', 'empty payload');
    if (value.length > maxMessageBytes) {
      return decodeFailure('TOO_LARGE', `payload of ${value.length} bytes exceeds ${maxMessageBytes}`);
    }
    const type = mediaType(headers);
    if (type === ContentTypes.json) return decodeJson(value);
    if (type !== undefined && !BINARY_MEDIA_TYPES.has(type)) {
      return decodeFailure('UNSUPPORTED_FORMAT', `content-type ${type} is neither Avro nor JSON`);
    }
    if (hasSingleObjectMagic(value)) return decodeSingleObject(value);
    if (value[0] === CONFLUENT_MAGIC_BYTE) return decodeConfluent(value);
    return decodeFailure(
      'UNSUPPORTED_FORMAT',
      'payload starts with neither C3 01 (single-object) nor 00 (Confluent)',
    );
  }

  return {
    history,
    fromJson,
    async decode(value, headers) {
      try {
        return await decodeUnchecked(value, headers);
      } catch (error) {
        // Only a retriable failure (registry down) escapes: bad input never throws.
        if (isRetriable(error)) throw error;
        return decodeFailure('MALFORMED', `could not decode: ${(error as Error).message}`);
      }
    },
  };
}
