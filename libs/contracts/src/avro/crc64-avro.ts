/**
 * CRC-64-AVRO, the Rabin fingerprint of the Avro specification ("Schema Fingerprints"):
 * https://avro.apache.org/docs/1.11.1/specification/#schema-fingerprints
 * avsc 5 has no implementation (its fingerprints default to MD5), so this follows the spec's
 * reference code. BigInt keeps the 64-bit arithmetic exact; fingerprints are computed once per
 * schema at load time, never per message.
 */
const EMPTY = 0xc15d213aa4d7a795n;

const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, index) => {
  let fp = BigInt(index);
  for (let bit = 0; bit < 8; bit++) {
    fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  }
  return fp;
});

/** The CRC-64-AVRO fingerprint of `bytes`, as an unsigned 64-bit integer. */
export function crc64Avro(bytes: Uint8Array): bigint {
  let fp = EMPTY;
  for (const byte of bytes) {
    fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(byte)) & 0xffn)] ?? 0n);
  }
  return fp;
}
