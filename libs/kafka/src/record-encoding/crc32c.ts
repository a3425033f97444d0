/**
 * CRC-32C (Castagnoli), the checksum of a Kafka record batch, eight bytes per step
 * ("slicing-by-8"). kafkajs computes it one byte per step; on a 500 KB produce request that
 * was 2–7% of a producing thread's CPU.
 */
const POLY = 0x82f63b78;
const TABLES = buildTables();

function buildTables(): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  const first = tables[0] ?? new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    first[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = first[n] ?? 0;
    for (const table of tables.slice(1)) {
      c = (first[c & 0xff] ?? 0) ^ (c >>> 8);
      table[n] = c;
    }
  }
  return tables;
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
];

/** The CRC-32C of `bytes`, as an unsigned 32-bit integer. */
export function crc32c(bytes: Uint8Array): number {
  let crc = -1;
  let i = 0;
  const end8 = bytes.length - (bytes.length % 8);
  // `?? 0` only satisfies the index checks: indexes are in range and table entries are set.
  for (; i < end8; i += 8) {
    const lo =
      crc ^
      ((bytes[i] ?? 0) |
        ((bytes[i + 1] ?? 0) << 8) |
        ((bytes[i + 2] ?? 0) << 16) |
        ((bytes[i + 3] ?? 0) << 24));
    crc =
      (T7[lo & 0xff] ?? 0) ^
      (T6[(lo >>> 8) & 0xff] ?? 0) ^
      (T5[(lo >>> 16) & 0xff] ?? 0) ^
      (T4[lo >>> 24] ?? 0) ^
      (T3[bytes[i + 4] ?? 0] ?? 0) ^
      (T2[bytes[i + 5] ?? 0] ?? 0) ^
      (T1[bytes[i + 6] ?? 0] ?? 0) ^
      (T0[bytes[i + 7] ?? 0] ?? 0);
  }
  for (; i < bytes.length; i++) crc = (T0[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
