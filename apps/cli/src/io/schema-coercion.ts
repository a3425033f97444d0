import type { Schema } from 'avsc';
import type { InputRecord } from './record-formats';

/** How a top-level record field is typed, as far as turning text or parquet values into it goes. */
export interface FieldKind {
  readonly kind: 'integer' | 'number' | 'boolean' | 'string' | 'other';
  readonly nullable: boolean;
  /** timestamp-millis / timestamp-micros / date: ISO text is accepted and turned into a number. */
  readonly temporal: boolean;
}

const INTEGER_TYPES = new Set(['int', 'long']);
const NUMBER_TYPES = new Set(['float', 'double']);

function branchKind(type: unknown): Omit<FieldKind, 'nullable'> {
  const name = typeof type === 'string' ? type : (type as { type?: unknown } | null)?.type;
  const logical =
    typeof type === 'object' && type !== null ? (type as { logicalType?: unknown }).logicalType : undefined;
  const temporal = logical === 'timestamp-millis' || logical === 'timestamp-micros' || logical === 'date';
  if (typeof name !== 'string') return { kind: 'other', temporal: false };
  if (INTEGER_TYPES.has(name)) return { kind: 'integer', temporal };
  if (NUMBER_TYPES.has(name)) return { kind: 'number', temporal: false };
  if (name === 'boolean') return { kind: 'boolean', temporal: false };
  if (name === 'string') return { kind: 'string', temporal: false };
  return { kind: 'other', temporal: false };
}

/** The kinds of a record schema's top-level fields; a union counts as its one non-null branch. */
export function fieldKinds(schema: Schema): Map<string, FieldKind> {
  const fields = (schema as { fields?: readonly { name: string; type: unknown }[] }).fields ?? [];
  const kinds = new Map<string, FieldKind>();
  for (const field of fields) {
    if (Array.isArray(field.type)) {
      const branches = field.type as unknown[];
      const nonNull = branches.filter((branch) => branch !== 'null');
      const nullable = nonNull.length < branches.length;
      const [only] = nonNull;
      kinds.set(
        field.name,
        nonNull.length === 1
          ? { ...branchKind(only), nullable }
          : { kind: 'other', temporal: false, nullable },
      );
    } else {
      kinds.set(field.name, { ...branchKind(field.type), nullable: false });
    }
  }
  return kinds;
}

function fromText(text: string, kind: FieldKind): unknown {
  if (text === '' && kind.nullable) return null;
  switch (kind.kind) {
    case 'integer':
    case 'number': {
      const trimmed = text.trim();
      const number = trimmed === '' ? Number.NaN : Number(trimmed);
      if (Number.isFinite(number)) return number;
      if (kind.temporal) {
        const parsed = Date.parse(trimmed);
        if (Number.isFinite(parsed)) return parsed;
      }
      return text; // left as text: the schema check names the field
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    default:
      return text;
  }
}

function fromValue(value: unknown, kind: FieldKind): unknown {
  if (typeof value === 'bigint') {
    return kind.kind === 'string' ? value.toString() : Number(value);
  }
  if (value instanceof Date) {
    return kind.kind === 'string' ? value.toISOString() : value.getTime();
  }
  if (typeof value === 'string') return fromText(value, kind);
  if (value === undefined && kind.nullable) return null;
  return value;
}

/**
 * Gives CSV text and parquet values (BigInt, Date) the types of the schema's fields: numbers for
 * int/long/float/double (ISO dates for timestamp fields), booleans, null for an empty optional.
 * Fields the schema does not know are left alone, so that validation reports them.
 */
export function coerceRecord(record: InputRecord, kinds: ReadonlyMap<string, FieldKind>): InputRecord {
  const out: InputRecord = {};
  for (const [name, value] of Object.entries(record)) {
    const kind = kinds.get(name);
    out[name] = kind === undefined ? value : fromValue(value, kind);
  }
  return out;
}
