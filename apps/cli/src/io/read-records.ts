import { readFile } from 'node:fs/promises';
import { parseTextRecords, type InputRecord, type RecordFormat } from './record-formats';
import { coerceRecord, type FieldKind } from './schema-coercion';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The file's bytes, or stdin's when `file` is absent or '-'. */
export async function readBytes(file: string | undefined): Promise<Buffer> {
  if (file === undefined || file === '-') return readStdin();
  try {
    return await readFile(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * Parquet rows as objects. hyparquet is ESM-only: loaded with import() as demo/flights/data.ts
 * does (tsc's CommonJS output turns it into require(), which Node ≥ 20.19 resolves for ESM).
 */
export async function parquetRecords(bytes: Buffer): Promise<InputRecord[]> {
  const { parquetReadObjects } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file, compressors })) as InputRecord[];
}

/**
 * Reads every record of a file (or stdin when `file` is absent or '-'). CSV and parquet values are
 * coerced to the schema's field types when `kinds` is given; JSON keeps its own types.
 */
export async function readRecords(
  file: string | undefined,
  format: RecordFormat,
  kinds?: ReadonlyMap<string, FieldKind>,
): Promise<InputRecord[]> {
  const bytes = await readBytes(file);
  const records =
    format === 'parquet' ? await parquetRecords(bytes) : parseTextRecords(bytes.toString('utf8'), format);
  if (kinds === undefined || format === 'json' || format === 'jsonl') return records;
  return records.map((record) => coerceRecord(record, kinds));
}
