import type * as avro from 'avsc';
import type { ContainerLimits } from './bounded-types';
import { DecodeError } from './decode-error';

/**
 * Prepares a parsed JSON value for validation against the reader type, for clients without Avro.
 * The JSON shape is avsc's in-memory shape, not the Avro JSON encoding: unions of null and one type
 * are plain values, longs are JSON numbers (safe integers), bytes are not supported in JSON.
 * - Missing fields that have a schema default get the default (so v1-shaped JSON is accepted by a
 *   v2 reader that only added defaulted fields, like Avro schema resolution does).
 * - Unknown fields are rejected (INVALID_FIELD naming them): the Avro path cannot carry a field the
 *   reader does not know either, and silently dropping a misspelt optional field loses data.
 * - Array items and map entries count against the same per-message limits as the Avro path.
 * Mutates `value` (it is freshly parsed and owned by the caller).
 */

interface TypeInternals {
  readonly typeName: string;
  readonly fields?: readonly { name: string; type: avro.Type; defaultValue?: () => unknown }[];
  readonly itemsType?: avro.Type;
  readonly valuesType?: avro.Type;
  readonly types?: readonly avro.Type[];
}

interface Walk {
  readonly limits: ContainerLimits;
  arrayItems: number;
  mapEntries: number;
  readonly unknownFields: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function visit(type: avro.Type, value: unknown, path: string[], walk: Walk): void {
  const t = type as unknown as TypeInternals;
  switch (t.typeName) {
    case 'record':
    case 'error': {
      if (!isObject(value)) return;
      const fields = t.fields ?? [];
      for (const key of Object.keys(value)) {
        if (!fields.some((field) => field.name === key)) walk.unknownFields.push([...path, key].join('.'));
      }
      for (const field of fields) {
        if (value[field.name] === undefined && field.defaultValue) value[field.name] = field.defaultValue();
        path.push(field.name);
        visit(field.type, value[field.name], path, walk);
        path.pop();
      }
      return;
    }
    case 'array':
      if (!Array.isArray(value) || !t.itemsType) return;
      walk.arrayItems += value.length;
      if (walk.arrayItems > walk.limits.maxArrayItems) {
        throw new DecodeError('LIMIT_EXCEEDED', `more than ${walk.limits.maxArrayItems} array items`, [
          path.join('.'),
        ]);
      }
      value.forEach((item, index) => {
        path.push(String(index));
        visit(t.itemsType as avro.Type, item, path, walk);
        path.pop();
      });
      return;
    case 'map':
      if (!isObject(value) || !t.valuesType) return;
      for (const [key, entry] of Object.entries(value)) {
        walk.mapEntries += 1;
        if (walk.mapEntries > walk.limits.maxMapEntries) {
          throw new DecodeError('LIMIT_EXCEEDED', `more than ${walk.limits.maxMapEntries} map entries`, [
            path.join('.'),
          ]);
        }
        path.push(key);
        visit(t.valuesType, entry, path, walk);
        path.pop();
      }
      return;
    case 'union:unwrapped': {
      // Only one branch per JSON kind exists in an unwrapped union (avsc wraps ambiguous ones).
      const kind = Array.isArray(value) ? 'array' : isObject(value) ? 'object' : 'other';
      const branch = (t.types ?? []).find((candidate) => {
        const name = (candidate as unknown as TypeInternals).typeName;
        if (kind === 'array') return name === 'array';
        if (kind === 'object') return name === 'record' || name === 'error' || name === 'map';
        return false;
      });
      if (branch) visit(branch, value, path, walk);
      return;
    }
    default:
      return;
  }
}

/**
 * Fills defaults and checks container limits (throws a LIMIT_EXCEEDED DecodeError). Returns the
 * paths of fields the schema does not declare.
 */
export function prepareJsonRecord(type: avro.Type, value: unknown, limits: ContainerLimits): string[] {
  const walk: Walk = { limits, arrayItems: 0, mapEntries: 0, unknownFields: [] };
  visit(type, value, [], walk);
  return walk.unknownFields;
}

/**
 * Validates with avsc `isValid` + `errorHook`, collecting every failing path. MISSING_FIELD when
 * every failure is an absent value, INVALID_FIELD otherwise (unknown fields count as invalid).
 */
export function validateJsonRecord(
  type: avro.Type,
  value: unknown,
  unknownFields: readonly string[],
): DecodeError | undefined {
  if (!isObject(value))
    return new DecodeError('INVALID_FIELD', `value is not a ${type.name ?? 'record'} object`);
  const invalid: string[] = [];
  const missing: string[] = [];
  const valid = type.isValid(value, {
    errorHook: (path, fieldValue) => {
      (fieldValue === undefined ? missing : invalid).push(path.join('.'));
    },
  });
  if (valid && unknownFields.length === 0) return undefined;
  if (invalid.length === 0 && unknownFields.length === 0) {
    return new DecodeError('MISSING_FIELD', `missing required field(s) ${missing.join(', ')}`, missing);
  }
  const reasons = [
    unknownFields.length > 0 ? `unknown field(s) ${unknownFields.join(', ')}` : '',
    invalid.length > 0 ? `invalid value(s) at ${invalid.join(', ')}` : '',
    missing.length > 0 ? `missing field(s) ${missing.join(', ')}` : '',
  ];
  return new DecodeError('INVALID_FIELD', reasons.filter((reason) => reason !== '').join('; '), [
    ...unknownFields,
    ...invalid,
    ...missing,
  ]);
}
