import type { Type } from 'avsc';
import { crc64Avro } from './crc64-avro';

/**
 * Parsing Canonical Form of a schema. avsc's `schema()` already strips doc, aliases, defaults and
 * logical types and writes full names in the spec's key order; `toString()` does not (it keeps
 * attributes), which is why platform-notes insists on `JSON.stringify(type.schema())`.
 */
export function parsingCanonicalForm(type: Type): string {
  return JSON.stringify(type.schema());
}

/** CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form. */
export function schemaFingerprint(type: Type): bigint {
  return crc64Avro(Buffer.from(parsingCanonicalForm(type), 'utf8'));
}

/** The fingerprint as the 8 little-endian bytes that single-object encoding carries. */
export function fingerprintBytes(fingerprint: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(fingerprint);
  return bytes;
}
