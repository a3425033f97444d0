import type { DeadLetterCode } from '@streamscore/contracts';
import { parseCsvLineRecords } from './csv-parser';
import { parquetRecords, readBytes } from './read-records';
import { RecordFormatError, type InputRecord, type RecordFormat } from './record-formats';
import { coerceRecord, type FieldKind } from './schema-coercion';

/**
 * A record and its line: the file line it is on (JSONL) or starts on (CSV, whose line 1 is the
 * header), the element of a JSON array, the row of a Parquet file; all counted from 1.
 */
export interface LineRecord {
  readonly line: number;
  readonly record: InputRecord;
}

/** Why one line of the input cannot be sent, with the codes the ingestion gate would give it. */
export interface LineProblem {
  readonly line: number;
  readonly code: DeadLetterCode;
  readonly reason: string;
  /** Failing field paths, when the problem is field-specific. */
  readonly fields: readonly string[];
}

/** Every line of an input: the records, and the lines that are not records. */
export interface LineInput {
  readonly records: LineRecord[];
  readonly problems: LineProblem[];
}

const malformed = (line: number, reason: string): LineProblem => ({
  line,
  code: 'MALFORMED',
  reason,
  fields: [],
});

const isObject = (value: unknown): value is InputRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonLines(text: string): LineInput {
  const input: LineInput = { records: [], problems: [] };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      input.problems.push(malformed(line, `invalid JSON: ${(error as Error).message}`));
      return;
    }
    if (isObject(parsed)) input.records.push({ line, record: parsed });
    else input.problems.push(malformed(line, 'a record must be a JSON object'));
  });
  return input;
}

/** A JSON array (its elements are the lines) or one object; invalid JSON fails the whole text. */
function jsonDocument(text: string): LineInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RecordFormatError(`invalid JSON: ${(error as Error).message}`);
  }
  const input: LineInput = { records: [], problems: [] };
  (Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]).forEach((item, index) => {
    if (isObject(item)) input.records.push({ line: index + 1, record: item });
    else input.problems.push(malformed(index + 1, 'a record must be a JSON object'));
  });
  return input;
}

function csv(text: string): LineInput {
  const input: LineInput = { records: [], problems: [] };
  for (const row of parseCsvLineRecords(text)) {
    if (row.record !== undefined) input.records.push({ line: row.line, record: row.record });
    else input.problems.push(malformed(row.line, row.problem ?? 'not a record'));
  }
  return input;
}

/**
 * Parses text or Parquet into numbered records, reporting every line that is not a record instead
 * of stopping at the first (bad JSON on a line, a CSV row with the wrong field count). What spoils
 * the whole input (a JSON document that does not parse, bad CSV quoting or header) still throws.
 */
export function parseLineRecords(bytes: Buffer, format: Exclude<RecordFormat, 'parquet'>): LineInput {
  const text = bytes.toString('utf8');
  switch (format) {
    case 'jsonl':
      return jsonLines(text);
    case 'json':
      return jsonDocument(text);
    case 'csv':
      return csv(text);
  }
}

/**
 * Every record of a file (or stdin when `file` is absent or '-') with its line; CSV and Parquet
 * values get the schema's field types as in readRecords.
 */
export async function readLineRecords(
  file: string | undefined,
  format: RecordFormat,
  kinds: ReadonlyMap<string, FieldKind>,
): Promise<LineInput> {
  const bytes = await readBytes(file);
  if (format === 'parquet') {
    const rows = await parquetRecords(bytes);
    return {
      records: rows.map((record, index) => ({ line: index + 1, record: coerceRecord(record, kinds) })),
      problems: [],
    };
  }
  const input = parseLineRecords(bytes, format);
  if (format === 'jsonl' || format === 'json') return input;
  return {
    records: input.records.map(({ line, record }) => ({ line, record: coerceRecord(record, kinds) })),
    problems: input.problems,
  };
}
