/**
 * A small RFC 4180 parser (https://www.rfc-editor.org/rfc/rfc4180): comma-separated fields, fields
 * in double quotes may hold commas, line breaks and doubled quotes (""), lines end in CRLF or LF.
 * The first row names the columns. Values stay text: typing is the schema's job (schema-coercion).
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

/** parseCsvRows with the line each row starts on. */
export function parseCsvLines(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte-order mark is not data
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  const endRow = (): void => {
    endField();
    rows.push({ fields: row, line: rowLine });
    row = [];
    line++;
    rowLine = line;
  };
  while (i < text.length) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvError(`line ${line}: characters after a closing quote`);
        }
      } else {
        if (char === '\n') line++;
        field += char;
      }
      i++;
      continue;
    }
    if (char === '"') {
      if (field.length > 0) throw new CsvError(`line ${line}: a quote inside an unquoted field`);
      quoted = true;
    } else if (char === ',') {
      endField();
    } else if (char === '\r' && text[i + 1] === '\n') {
      endRow();
      i++;
    } else if (char === '\n') {
      endRow();
    } else {
      field += char;
    }
    i++;
  }
  if (quoted) throw new CsvError(`line ${line}: a quoted field is not closed`);
  if (field.length > 0 || row.length > 0) endRow();
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
