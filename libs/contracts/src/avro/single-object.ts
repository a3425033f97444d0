import type { Type } from 'avsc';
import { fingerprintBytes, schemaFingerprint } from './schema-fingerprint';

/**
 * Avro single-object encoding: `C3 01` + 8-byte little-endian CRC-64-AVRO fingerprint of the
 * writer schema + the binary datum (https://avro.apache.org/docs/1.11.1/specification/#single-object-encoding).
 */
export const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);
export const SINGLE_OBJECT_HEADER_BYTES = 10;

/** Confluent wire format: `0x00` + 4-byte big-endian schema id + the binary datum. */
export const CONFLUENT_MAGIC_BYTE = 0x00;
export const CONFLUENT_HEADER_BYTES = 5;

const headers = new WeakMap<Type, Buffer>();

/** The 10-byte single-object header of `type` (computed once per type). */
export function singleObjectHeader(type: Type): Buffer {
  let header = headers.get(type);
  if (!header) {
    header = Buffer.concat([SINGLE_OBJECT_MAGIC, fingerprintBytes(schemaFingerprint(type))]);
    headers.set(type, header);
  }
  return header;
}

export function hasSingleObjectMagic(value: Buffer): boolean {
  return value.length >= 2 && value[0] === 0xc3 && value[1] === 0x01;
}

// One scratch buffer reused across calls: each encode costs one exact-size allocation and a copy
// instead of avsc's toBuffer allocation plus a concat.
let scratch = Buffer.allocUnsafe(64 * 1024);

function encodeWithHeader(type: Type, record: unknown, header: Buffer): Buffer {
  for (;;) {
    header.copy(scratch, 0);
    const end = type.encode(record, scratch, header.length);
    if (end >= 0) {
      const out = Buffer.allocUnsafe(end);
      scratch.copy(out, 0, 0, end);
      return out;
    }
    // avsc returns minus the number of missing bytes when the buffer is too small.
    scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
  }
}

/**
 * Encodes `record` with `type` in single-object encoding. Throws (avsc's invalid-value error) when
 * the record does not match the type: producers call this with data they own, so that is a bug.
 */
export function encodeSingleObject(type: Type, record: unknown): Buffer {
  return encodeWithHeader(type, record, singleObjectHeader(type));
}

/** Encodes `record` in the Confluent wire format with the registry's `schemaId`. */
export function encodeConfluent(type: Type, schemaId: number, record: unknown): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new RangeError(`schema id must be a non-negative 32-bit integer, got ${schemaId}`);
  }
  const header = Buffer.alloc(CONFLUENT_HEADER_BYTES);
  header[0] = CONFLUENT_MAGIC_BYTE;
  header.writeUInt32BE(schemaId, 1);
  return encodeWithHeader(type, record, header);
}
