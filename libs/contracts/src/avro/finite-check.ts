import type * as avro from 'avsc';
import { compileWalker } from './type-walker';

/**
 * NaN and ±Infinity are rejected in float and double fields unless the field declares
 * `"allowNonFinite": true` in the schema JSON. Compiled once per reader type into a walker that
 * only visits the parts of a record that can hold floating-point values, so records without
 * doubles cost nothing. The same check runs on records decoded from Avro and from JSON (where
 * 1e999 parses to Infinity).
 */
export const ALLOW_NON_FINITE_ATTRIBUTE = 'allowNonFinite';

/** `record full name#field name` of every field declaring allowNonFinite. */
function fieldsAllowingNonFinite(schema: unknown, namespace: string | undefined, found: Set<string>): void {
  if (Array.isArray(schema)) {
    for (const branch of schema) fieldsAllowingNonFinite(branch, namespace, found);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Record<string, unknown>;
  if (node.type === 'array') fieldsAllowingNonFinite(node.items, namespace, found);
  if (node.type === 'map') fieldsAllowingNonFinite(node.values, namespace, found);
  if ((node.type === 'record' || node.type === 'error') && typeof node.name === 'string') {
    const name = node.name;
    const ownNamespace = typeof node.namespace === 'string' ? node.namespace : namespace;
    const fullName = name.includes('.') || !ownNamespace ? name : `${ownNamespace}.${name}`;
    const childNamespace = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : ownNamespace;
    for (const field of Array.isArray(node.fields) ? (node.fields as Record<string, unknown>[]) : []) {
      if (field[ALLOW_NON_FINITE_ATTRIBUTE] === true && typeof field.name === 'string') {
        found.add(`${fullName}#${field.name}`);
      }
      fieldsAllowingNonFinite(field.type, childNamespace, found);
    }
  }
  if (typeof node.type === 'object') fieldsAllowingNonFinite(node.type, namespace, found);
}

/**
 * Compiles the check for records of `type` parsed from `schema`. Returns the failing field paths
 * (empty when every float and double is finite or allowed not to be).
 */
export function compileFiniteCheck(type: avro.Type, schema: avro.Schema): (record: unknown) => string[] {
  const allowed = new Set<string>();
  fieldsAllowingNonFinite(schema, undefined, allowed);
  const check = compileWalker<string[]>(
    type,
    (leaf) =>
      leaf.typeName === 'float' || leaf.typeName === 'double'
        ? (value, path, failures) => {
            if (typeof value === 'number' && !Number.isFinite(value)) failures.push(path.join('.'));
          }
        : null,
    { skipField: (recordName, fieldName) => allowed.has(`${recordName ?? ''}#${fieldName}`) },
  );
  if (!check) return () => [];
  return (record) => {
    const failures: string[] = [];
    check(record, [], failures);
    return failures;
  };
}
