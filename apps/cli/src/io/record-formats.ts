import { extname } from 'node:path';
import { parseCsv } from './csv-parser';

export const RecordFormats = ['json', 'jsonl', 'csv', 'parquet'] as const;
export type RecordFormat = (typeof RecordFormats)[number];

export type InputRecord = Record<string, unknown>;

export class RecordFormatError extends Error {
  override readonly name = 'RecordFormatError';
}

const BY_EXTENSION: Readonly<Record<string, RecordFormat>> = {
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
  '.parquet': 'parquet',
};

/** The explicit format, else the file extension's; stdin without --format is JSON lines. */
export function resolveFormat(explicit: string | undefined, file: string | undefined): RecordFormat {
  if (explicit !== undefined) {
    if (!(RecordFormats as readonly string[]).includes(explicit)) {
      throw new RecordFormatError(`unknown format ${explicit}: use one of ${RecordFormats.join(', ')}`);
    }
    return explicit as RecordFormat;
  }
  if (file === undefined) return 'jsonl';
  const format = BY_EXTENSION[extname(file).toLowerCase()];
  if (format === undefined) {
    throw new RecordFormatError(`cannot tell the format of ${file} from its extension: pass --format`);
  }
  return format;
}

function asRecord(value: unknown, where: string): InputRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RecordFormatError(`${where}: a record must be a JSON object`);
  }
  return value as InputRecord;
}

/** A JSON array of objects, or one object. */
export function parseJsonRecords(text: string): InputRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RecordFormatError(`invalid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(parsed)) return parsed.map((item, index) => asRecord(item, `element ${index}`));
  return [asRecord(parsed, 'document')];
}

/** One JSON object per line; blank lines are skipped. */
export function parseJsonLines(text: string): InputRecord[] {
  const records: InputRecord[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new RecordFormatError(`line ${index + 1}: invalid JSON: ${(error as Error).message}`);
    }
    records.push(asRecord(parsed, `line ${index + 1}`));
  });
  return records;
}

/** Parses the text formats; parquet is binary and read by read-records. */
export function parseTextRecords(text: string, format: Exclude<RecordFormat, 'parquet'>): InputRecord[] {
  switch (format) {
    case 'json':
      return parseJsonRecords(text);
    case 'jsonl':
      return parseJsonLines(text);
    case 'csv':
      return parseCsv(text);
  }
}

/**
 * One JSON line for a decoded record: bytes as base64, 64-bit integers beyond 2^53 as strings,
 * so that every line parses back with JSON.parse.
 */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return item.toString();
    if (typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'Buffer') {
      const data = (item as { data?: unknown }).data;
      if (Array.isArray(data)) return Buffer.from(data as number[]).toString('base64');
    }
    return item;
  });
}
