import * as avro from 'avsc';
import { DecodeError } from './decode-error';

/**
 * Array and map types whose reads are bounded. avsc checks string and bytes lengths against the
 * buffer but trusts array and map block counts: a 4-byte payload claiming 1e8 items took 6.5 s and
 * 1.25 GB before failing (platform-notes). Its `_skip` also follows a negative block byte size
 * backwards, which can loop forever on crafted input. These subclasses are installed with a
 * `typeHook`, so every array and map in a reader or writer type (and in the resolvers built from
 * them, which borrow the reader's `_read` and the writer's `_skip`) goes through the checks below.
 */

/** What a message may still spend; the decoder resets it before each message. */
export interface ContainerBudget {
  arrayItems: number;
  mapEntries: number;
}

export interface ContainerLimits {
  /** Most array items in one message, all arrays together. */
  readonly maxArrayItems: number;
  /** Most map entries in one message, all maps together. */
  readonly maxMapEntries: number;
}

/** The parts of avsc's internal Tap the bounded reads use (avsc/lib/utils.js). */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
  skipString(): void;
}

/** A type or a resolver: both expose `_read`/`_skip` (avsc/lib/types.js). */
interface ReadsValues {
  _read(tap: Tap): unknown;
  _skip(tap: Tap): void;
}

function truncated(): DecodeError {
  return new DecodeError('TRUNCATED', 'payload ends inside an array or map');
}

/** Reads a block header and charges its item count to the budget. */
function readBlockCount(tap: Tap): number {
  const count = tap.readLong();
  if (count >= 0) return count;
  tap.skipLong(); // A negative count is followed by the block's byte size (Avro spec, "Arrays").
  return -count;
}

function skipBlockBytes(tap: Tap): void {
  const size = tap.readLong();
  if (size < 0) throw new DecodeError('MALFORMED', `negative block size ${size}`);
  tap.pos += size;
}

export function boundedTypeHook(
  limits: ContainerLimits,
  budget: ContainerBudget,
): (schema: avro.Schema, opts: unknown) => avro.Type | undefined {
  function chargeItems(count: number): void {
    if (count > budget.arrayItems) {
      throw new DecodeError(
        'LIMIT_EXCEEDED',
        `array block claims ${count} items; at most ${limits.maxArrayItems} allowed per message`,
      );
    }
    budget.arrayItems -= count;
  }

  function chargeEntries(count: number): void {
    if (count > budget.mapEntries) {
      throw new DecodeError(
        'LIMIT_EXCEEDED',
        `map block claims ${count} entries; at most ${limits.maxMapEntries} allowed per message`,
      );
    }
    budget.mapEntries -= count;
  }

  class BoundedArrayType extends avro.types.ArrayType {
    _read(this: { itemsType: ReadsValues }, tap: Tap): unknown[] {
      const items = this.itemsType;
      const values: unknown[] = [];
      for (let count = readBlockCount(tap); count !== 0; count = readBlockCount(tap)) {
        chargeItems(count);
        while (count-- > 0) {
          if (tap.pos > tap.buf.length) throw truncated();
          values.push(items._read(tap));
        }
      }
      return values;
    }

    _skip(this: { itemsType: ReadsValues }, tap: Tap): void {
      const items = this.itemsType;
      for (let count = tap.readLong(); count !== 0; count = tap.readLong()) {
        if (count < 0) {
          skipBlockBytes(tap);
          continue;
        }
        chargeItems(count);
        while (count-- > 0) {
          if (tap.pos > tap.buf.length) throw truncated();
          items._skip(tap);
        }
      }
    }
  }

  class BoundedMapType extends avro.types.MapType {
    _read(this: { valuesType: ReadsValues }, tap: Tap): Record<string, unknown> {
      const values = this.valuesType;
      const map: Record<string, unknown> = {};
      for (let count = readBlockCount(tap); count !== 0; count = readBlockCount(tap)) {
        chargeEntries(count);
        while (count-- > 0) {
          if (tap.pos > tap.buf.length) throw truncated();
          const key = tap.readString();
          // Assigning "__proto__" would replace the object's prototype instead of adding a key.
          if (key === '__proto__') throw new DecodeError('MALFORMED', 'map key "__proto__" is not allowed');
          map[key] = values._read(tap);
        }
      }
      return map;
    }

    _skip(this: { valuesType: ReadsValues }, tap: Tap): void {
      const values = this.valuesType;
      for (let count = tap.readLong(); count !== 0; count = tap.readLong()) {
        if (count < 0) {
          skipBlockBytes(tap);
          continue;
        }
        chargeEntries(count);
        while (count-- > 0) {
          if (tap.pos > tap.buf.length) throw truncated();
          tap.skipString();
          values._skip(tap);
        }
      }
    }
  }

  return (schema, opts) => {
    if (typeof schema !== 'object' || Array.isArray(schema)) return undefined;
    const kind = (schema as { type?: unknown }).type;
    if (kind === 'array') return new BoundedArrayType(schema, opts);
    if (kind === 'map') return new BoundedMapType(schema, opts);
    return undefined;
  };
}

/** Parses `schema` with bounded arrays and maps charging `budget`. */
export function boundedType(
  schema: avro.Schema,
  limits: ContainerLimits,
  budget: ContainerBudget,
): avro.Type {
  return avro.Type.forSchema(schema, { typeHook: boundedTypeHook(limits, budget) });
}
