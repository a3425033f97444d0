import type * as avro from 'avsc';
import { fieldText } from '../stream-accessors';
import { decodeFailure, type DecodeFailure } from './decode-result';
import { compileWalker, type Walk } from './type-walker';

/**
 * Field sizes: the rule that a record's strings and key fields are not larger than the pipeline
 * allows (pipeline file `limits`; issue #18). The message size cap alone let a 1 MB entity key
 * through, and a key that large is hashed by every producer that writes the record, copied into
 * every downstream key and Redis feature key. Compiled once per reader type into a walker that only
 * visits the parts of a record that can hold strings or bytes, like the finite check. The same
 * check runs on records decoded from Avro and from JSON (the HTTP entry and the CLI use the JSON
 * path), so everything that accepts input refuses the same records, with code TOO_LARGE and the
 * field paths.
 */
export interface FieldSizeLimits {
  /** Most bytes of any string (UTF-8), bytes value or map key anywhere in a record. */
  readonly maxStringBytes?: number;
  /** The fields whose values make the entity key (a stream's `keyFields`). */
  readonly keyFields?: readonly string[];
  /** Most UTF-8 bytes of each key field's value as text (its part of the entity key). */
  readonly maxKeyFieldBytes?: number;
}

/** At most this many paths go into the dead letter's fields header (the reason says how many more). */
const MAX_REPORTED = 10;

interface Oversized {
  readonly path: string;
  readonly what: 'key field' | 'string' | 'bytes value' | 'map key';
  readonly bytes: number;
  readonly limit: number;
}

/** UTF-8 bytes of `text` when more than `limit`, else undefined (no count for short strings). */
function bytesOver(text: string, limit: number): number | undefined {
  // A UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair: 2 units, 4 bytes).
  if (text.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > limit ? bytes : undefined;
}

/** The walk over strings, bytes values and map keys of at most `limit` bytes. */
function compileWalk(type: avro.Type, limit: number): Walk<Oversized[]> | null {
  return compileWalker<Oversized[]>(
    type,
    (leaf) => {
      switch (leaf.typeName) {
        case 'string':
          return (value, path, found) => {
            if (typeof value !== 'string') return;
            const bytes = bytesOver(value, limit);
            if (bytes !== undefined) found.push({ path: path.join('.'), what: 'string', bytes, limit });
          };
        case 'bytes':
          return (value, path, found) => {
            if (Buffer.isBuffer(value) && value.length > limit)
              found.push({ path: path.join('.'), what: 'bytes value', bytes: value.length, limit });
          };
        default:
          // Numbers, booleans, null, enums and fixed: sizes the schema fixes.
          return null;
      }
    },
    {
      // Map keys are strings too; an oversized one is reported at the map's path (the key itself
      // would make the path as large as the key).
      mapKey: (key, path, found) => {
        const bytes = bytesOver(key, limit);
        if (bytes === undefined) return false;
        found.push({ path: path.join('.'), what: 'map key', bytes, limit });
        return true;
      },
    },
  );
}

function explain(o: Oversized): string {
  const where = o.what === 'map key' ? `a key of map ${o.path}` : o.path;
  return `${where} is ${o.bytes} bytes; a ${o.what} may have at most ${o.limit}`;
}

/**
 * Compiles the field size check for records of `type`. Returns a TOO_LARGE failure naming every
 * oversized field (up to ten paths), or undefined when the record is within the limits. No limits,
 * no check: a decoder only applies the ones it is given.
 */
export function compileFieldSizeCheck(
  type: avro.Type,
  limits: FieldSizeLimits,
): (record: unknown) => DecodeFailure | undefined {
  const { maxStringBytes, maxKeyFieldBytes } = limits;
  const keyFields = maxKeyFieldBytes === undefined ? [] : (limits.keyFields ?? []);
  const walk = maxStringBytes === undefined ? null : compileWalk(type, maxStringBytes);
  if (walk === null && keyFields.length === 0) return () => undefined;
  return (record) => {
    if (typeof record !== 'object' || record === null) return undefined;
    const found: Oversized[] = [];
    if (maxKeyFieldBytes !== undefined) {
      for (const field of keyFields) {
        const text = fieldText((record as Record<string, unknown>)[field]);
        const bytes = text === undefined ? undefined : bytesOver(text, maxKeyFieldBytes);
        if (bytes !== undefined)
          found.push({ path: field, what: 'key field', bytes, limit: maxKeyFieldBytes });
      }
    }
    walk?.(record, [], found);
    if (found.length === 0) return undefined;
    // A key field over both limits is reported once, as a key field (the stricter one).
    const seen = new Set<string>();
    const unique = found.filter((o) => {
      const id = o.what === 'map key' ? `#${o.path}` : o.path;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    const reported = unique.slice(0, MAX_REPORTED);
    const more = unique.length - reported.length;
    const reason = reported.map(explain).join('; ') + (more > 0 ? `; and ${more} more` : '');
    return decodeFailure('TOO_LARGE', reason, [...new Set(reported.map((o) => o.path))]);
  };
}
