import type * as avro from 'avsc';

/**
 * NaN and ±Infinity are rejected in float and double fields unless the field declares
 * `"allowNonFinite": true` in the schema JSON. Compiled once per reader type into a walker that
 * only visits the parts of a record that can hold floating-point values, so records without
 * doubles cost nothing. The same check runs on records decoded from Avro and from JSON (where
 * 1e999 parses to Infinity).
 */
export const ALLOW_NON_FINITE_ATTRIBUTE = 'allowNonFinite';

type Check = (value: unknown, path: string[], failures: string[]) => void;

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

interface TypeInternals {
  readonly typeName: string;
  readonly name?: string;
  readonly fields?: readonly { name: string; type: avro.Type }[];
  readonly itemsType?: avro.Type;
  readonly valuesType?: avro.Type;
  readonly types?: readonly avro.Type[];
  readonly underlyingType?: avro.Type;
  readonly branchName?: string;
}

function compile(
  type: avro.Type,
  allowed: ReadonlySet<string>,
  memo: Map<avro.Type, Check | null>,
): Check | null {
  if (memo.has(type)) return memo.get(type) ?? null;
  const t = type as unknown as TypeInternals;
  switch (t.typeName) {
    case 'float':
    case 'double':
      return (value, path, failures) => {
        if (typeof value === 'number' && !Number.isFinite(value)) failures.push(path.join('.'));
      };
    case 'record':
    case 'error': {
      let compiled: Check | null = null;
      // Recursive schemas refer back to this record before it is compiled.
      memo.set(type, (value, path, failures) => compiled?.(value, path, failures));
      const checks: [string, Check][] = [];
      for (const field of t.fields ?? []) {
        if (allowed.has(`${t.name ?? ''}#${field.name}`)) continue;
        const check = compile(field.type, allowed, memo);
        if (check) checks.push([field.name, check]);
      }
      if (checks.length > 0) {
        compiled = (value, path, failures) => {
          if (typeof value !== 'object' || value === null) return;
          const record = value as Record<string, unknown>;
          for (const [name, check] of checks) {
            path.push(name);
            check(record[name], path, failures);
            path.pop();
          }
        };
      }
      memo.set(type, compiled);
      return compiled;
    }
    case 'array': {
      const items = t.itemsType && compile(t.itemsType, allowed, memo);
      if (!items) return null;
      return (value, path, failures) => {
        if (!Array.isArray(value)) return;
        value.forEach((item, index) => {
          path.push(String(index));
          items(item, path, failures);
          path.pop();
        });
      };
    }
    case 'map': {
      const values = t.valuesType && compile(t.valuesType, allowed, memo);
      if (!values) return null;
      return (value, path, failures) => {
        if (typeof value !== 'object' || value === null) return;
        for (const [key, entry] of Object.entries(value)) {
          path.push(key);
          values(entry, path, failures);
          path.pop();
        }
      };
    }
    case 'union:unwrapped': {
      // Each branch check ignores values of other kinds, and an unwrapped union holds at most one
      // branch per kind (avsc wraps ambiguous unions), so running them all picks the right one.
      const branches = (t.types ?? [])
        .map((branch) => compile(branch, allowed, memo))
        .filter((c) => c !== null);
      if (branches.length === 0) return null;
      return (value, path, failures) => {
        for (const check of branches) check(value, path, failures);
      };
    }
    case 'union:wrapped': {
      const branches = (t.types ?? []).flatMap((branch): [string, Check][] => {
        const check = compile(branch, allowed, memo);
        const name = (branch as unknown as TypeInternals).branchName;
        return check && name ? [[name, check]] : [];
      });
      if (branches.length === 0) return null;
      return (value, path, failures) => {
        if (typeof value !== 'object' || value === null) return;
        for (const [name, check] of branches) check((value as Record<string, unknown>)[name], path, failures);
      };
    }
    case 'logical':
      return t.underlyingType ? compile(t.underlyingType, allowed, memo) : null;
    default:
      return null;
  }
}

/**
 * Compiles the check for records of `type` parsed from `schema`. Returns the failing field paths
 * (empty when every float and double is finite or allowed not to be).
 */
export function compileFiniteCheck(type: avro.Type, schema: avro.Schema): (record: unknown) => string[] {
  const allowed = new Set<string>();
  fieldsAllowingNonFinite(schema, undefined, allowed);
  const check = compile(type, allowed, new Map());
  if (!check) return () => [];
  return (record) => {
    const failures: string[] = [];
    check(record, [], failures);
    return failures;
  };
}
