import { CsvError as ParseError, parse } from 'csv-parse/sync';

/**
 * CSV as RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180) reads it, parsed by csv-parse:
 * comma-separated fields, fields in double quotes may hold commas, line breaks and doubled quotes
 * (""), rows end in CRLF or LF, a UTF-8 byte-order mark is skipped. The first row names the
 * columns. Values stay text: typing is the schema's job (schema-coercion).
 */
export class CsvError extends Error {
  override readonly name = 'CsvError';
}

/** One CSV row and the line of the text it starts on (1-based; a quoted field may span lines). */
export interface CsvRow {
  readonly fields: string[];
  readonly line: number;
}

/** Splits CSV text into rows of fields. A trailing line break does not make an empty row. */
export function parseCsvRows(text: string): string[][] {
  return parseCsvLines(text).map((row) => row.fields);
}

/** What a csv-parse error means here; the line is added by parseCsvLines. */
function problemOf(error: ParseError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is not closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'characters after a closing quote';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field';
    default:
      return error.message;
  }
}

/** How many line feeds bytes[from, to) holds. */
function lineFeeds(bytes: Buffer, from: number, to: number): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a, from); at !== -1 && at < to; at = bytes.indexOf(0x0a, at + 1)) count++;
  return count;
}

/** parseCsvRows with the line each row starts on. */
export function parseCsvLines(text: string): CsvRow[] {
  const bytes = Buffer.from(text, 'utf8');
  const rows: CsvRow[] = [];
  // Blank lines are kept as rows (one empty field), so every line belongs to a row and a row starts
  // on the line after the previous row's end. Lines are counted by line feeds, as for JSONL, in the
  // bytes csv-parse has read: its own `lines` also counts a lone CR (data here) and counts a CRLF
  // inside quotes twice.
  let nextLine = 1;
  let offset = 0;
  try {
    parse(bytes, {
      bom: true,
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true, // the callers report a row of the wrong width, with its line
      on_record: (fields, info) => {
        rows.push({ fields, line: nextLine });
        nextLine += lineFeeds(bytes, offset, info.bytes);
        offset = info.bytes;
        return null; // collected above
      },
    });
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    // The line the bad row starts on (a CSV line as `produce` counts them; see docs/cli.md).
    throw new CsvError(`line ${nextLine}: ${problemOf(error)}`);
  }
  return rows;
}

function checkHeader(header: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (name === '') throw new CsvError('header: empty column name');
    if (seen.has(name)) throw new CsvError(`header: column ${name} appears twice`);
    seen.add(name);
  }
}

const isBlank = (fields: readonly string[]): boolean => fields.length === 1 && fields[0] === '';

const rowObject = (header: readonly string[], fields: readonly string[]): Record<string, string> =>
  Object.fromEntries(header.map((name, column) => [name, fields[column] ?? '']));

/** Rows as objects keyed by the header row; every row must have as many fields as the header. */
export function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsvRows(text);
  if (header === undefined) return [];
  checkHeader(header);
  return rows
    .map((fields, index) => ({ fields, row: index + 1 }))
    .filter(({ fields }) => !isBlank(fields))
    .map(({ fields, row }) => {
      if (fields.length !== header.length) {
        throw new CsvError(`data row ${row}: ${fields.length} fields, the header has ${header.length}`);
      }
      return rowObject(header, fields);
    });
}

export interface CsvLineRecord {
  readonly line: number;
  readonly record?: Record<string, string>;
  /** Why the row is not a record (its field count differs from the header's). */
  readonly problem?: string;
}

/**
 * parseCsv that keeps going: every data row with the file line it starts on, as a record or as the
 * reason it is not one. A bad header or bad quoting still fails the whole text.
 */
export function parseCsvLineRecords(text: string): CsvLineRecord[] {
  const [header, ...rows] = parseCsvLines(text);
  if (header === undefined) return [];
  checkHeader(header.fields);
  const width = header.fields.length;
  return rows
    .filter(({ fields }) => !isBlank(fields))
    .map(({ fields, line }) =>
      fields.length === width
        ? { line, record: rowObject(header.fields, fields) }
        : { line, problem: `${fields.length} fields, the header has ${width}` },
    );
}
