import type * as avro from 'avsc';

/**
 * The walk shared by the checks that look into decoded records (finite-check, field-sizes):
 * compiled once per reader type into a function that only visits the parts of a record where the
 * check has something to look at, so records without such parts cost nothing. The walker handles
 * records, arrays, maps, unions, logical types, recursion and field paths; each check provides its
 * leaves. `found` is whatever the check collects its findings in.
 */
export type Walk<F> = (value: unknown, path: string[], found: F) => void;

export interface WalkerOptions<F> {
  /**
   * Checks each key of every map at the map's path; returns true when it reported the key, and the
   * entry's value is then not visited. With this hook every map is visited, whatever its values.
   */
  readonly mapKey?: (key: string, path: string[], found: F) => boolean;
  /** Fields the walk leaves out, by the record's full name and the field's name. */
  readonly skipField?: (recordName: string | undefined, fieldName: string) => boolean;
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

/**
 * Compiles the walk for values of `type`, or null when nothing in it has a check. `leaf` gives the
 * check for a type that is none of record, array, map, union or logical (null: nothing to check).
 */
export function compileWalker<F>(
  type: avro.Type,
  leaf: (type: avro.Type) => Walk<F> | null,
  options: WalkerOptions<F> = {},
): Walk<F> | null {
  const { mapKey, skipField } = options;
  const memo = new Map<avro.Type, Walk<F> | null>();

  function compile(type: avro.Type): Walk<F> | null {
    if (memo.has(type)) return memo.get(type) ?? null;
    const t = type as unknown as TypeInternals;
    switch (t.typeName) {
      case 'record':
      case 'error': {
        let compiled: Walk<F> | null = null;
        // Recursive schemas refer back to this record before it is compiled.
        memo.set(type, (value, path, found) => compiled?.(value, path, found));
        const checks: [string, Walk<F>][] = [];
        for (const field of t.fields ?? []) {
          if (skipField?.(t.name, field.name)) continue;
          const check = compile(field.type);
          if (check) checks.push([field.name, check]);
        }
        if (checks.length > 0) {
          compiled = (value, path, found) => {
            if (typeof value !== 'object' || value === null) return;
            const record = value as Record<string, unknown>;
            for (const [name, check] of checks) {
              path.push(name);
              check(record[name], path, found);
              path.pop();
            }
          };
        }
        memo.set(type, compiled);
        return compiled;
      }
      case 'array': {
        const items = t.itemsType ? compile(t.itemsType) : null;
        if (!items) return null;
        return (value, path, found) => {
          if (!Array.isArray(value)) return;
          value.forEach((item, index) => {
            path.push(String(index));
            items(item, path, found);
            path.pop();
          });
        };
      }
      case 'map': {
        const values = t.valuesType ? compile(t.valuesType) : null;
        if (!values && !mapKey) return null;
        return (value, path, found) => {
          if (typeof value !== 'object' || value === null) return;
          for (const [key, entry] of Object.entries(value)) {
            if (mapKey?.(key, path, found)) continue;
            if (!values) continue;
            path.push(key);
            values(entry, path, found);
            path.pop();
          }
        };
      }
      case 'union:unwrapped': {
        // Each branch check ignores values of other kinds, and an unwrapped union holds at most one
        // branch per kind (avsc wraps ambiguous unions), so running them all picks the right one.
        const branches = (t.types ?? []).map((branch) => compile(branch)).filter((c) => c !== null);
        if (branches.length === 0) return null;
        return (value, path, found) => {
          for (const check of branches) check(value, path, found);
        };
      }
      case 'union:wrapped': {
        const branches = (t.types ?? []).flatMap((branch): [string, Walk<F>][] => {
          const check = compile(branch);
          const name = (branch as unknown as TypeInternals).branchName;
          return check && name ? [[name, check]] : [];
        });
        if (branches.length === 0) return null;
        return (value, path, found) => {
          if (typeof value !== 'object' || value === null) return;
          for (const [name, check] of branches) check((value as Record<string, unknown>)[name], path, found);
        };
      }
      case 'logical':
        return t.underlyingType ? compile(t.underlyingType) : null;
      default:
        return leaf(type);
    }
  }

  return compile(type);
}
