/**
 * Generates TypeScript interfaces from Avro record schemas (the in-memory shape avsc decodes to:
 * longs and doubles as number, bytes as Buffer, unions of null and one type as `T | null`).
 * Pure: schema JSON in, file contents out. libs/contracts/tools/generate-types.ts does the I/O.
 * A named type is declared once, in the first file (by record directory) that defines it; later
 * files import it, and must define it identically.
 */

export interface GenerationInput {
  /** Record directory name, e.g. `model-deployment`: also the generated file's name. */
  readonly record: string;
  /** Where the schema came from, for the header comment. */
  readonly source: string;
  readonly schema: unknown;
}

interface NamedDefinition {
  readonly file: string;
  readonly json: string;
  readonly tsName: string;
}

interface FileContext {
  readonly file: string;
  readonly declarations: string[];
  readonly imports: Map<string, Set<string>>;
}

const PRIMITIVES: Readonly<Record<string, string>> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

/** avsc's value buckets: an unwrapped union may hold one branch per bucket (avsc/lib/types.js). */
const BUCKETS: Readonly<Record<string, string>> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'buffer',
  fixed: 'buffer',
  string: 'string',
  enum: 'string',
  array: 'array',
  map: 'object',
  record: 'object',
  error: 'object',
};

export class GenerationError extends Error {
  override readonly name = 'GenerationError';
}

function docComment(lines: readonly string[], indent: string): string {
  const text = lines.filter((line) => line.length > 0);
  if (text.length === 0) return '';
  if (text.length === 1) return `${indent}/** ${text[0] ?? ''} */\n`;
  return `${indent}/**\n${text.map((line) => `${indent} * ${line}`).join('\n')}\n${indent} */\n`;
}

function fullName(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

export function generateTypeScript(inputs: readonly GenerationInput[]): Map<string, string> {
  const named = new Map<string, NamedDefinition>();
  const kinds = new Map<string, string>();
  const tsNames = new Map<string, string>();
  const files = new Map<string, string>();

  function bucketOf(schema: unknown, namespace: string | undefined): string {
    if (typeof schema === 'string')
      return BUCKETS[schema] ?? kinds.get(fullName(schema, namespace)) ?? schema;
    if (Array.isArray(schema)) return 'union';
    const node = schema as Record<string, unknown>;
    return typeof node.type === 'string' ? (BUCKETS[node.type] ?? node.type) : bucketOf(node.type, namespace);
  }

  function reference(name: string, namespace: string | undefined, ctx: FileContext): string {
    const definition = named.get(fullName(name, namespace)) ?? named.get(name);
    if (!definition) throw new GenerationError(`${ctx.file}: undefined type name ${name}`);
    if (definition.file !== ctx.file) {
      const names = ctx.imports.get(definition.file) ?? new Set<string>();
      names.add(definition.tsName);
      ctx.imports.set(definition.file, names);
    }
    return definition.tsName;
  }

  function define(node: Record<string, unknown>, namespace: string | undefined, ctx: FileContext): string {
    const name = fullName(String(node.name), namespace);
    const tsName = shortName(name);
    const json = JSON.stringify(node);
    const existing = named.get(name);
    if (existing) {
      if (existing.json !== json) {
        throw new GenerationError(`${ctx.file}: ${name} differs from its definition in ${existing.file}`);
      }
      return reference(name, undefined, ctx);
    }
    const clash = tsNames.get(tsName);
    if (clash !== undefined && clash !== name) {
      throw new GenerationError(`${ctx.file}: ${name} and ${clash} would both be TypeScript type ${tsName}`);
    }
    tsNames.set(tsName, name);
    named.set(name, { file: ctx.file, json, tsName });
    kinds.set(name, BUCKETS[String(node.type)] ?? 'object');
    const childNamespace = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
    const doc = typeof node.doc === 'string' ? [node.doc] : [];
    if (node.type === 'enum') {
      const symbols = (node.symbols as string[]).map((symbol) => `'${symbol}'`).join(' | ');
      ctx.declarations.push(`${docComment(doc, '')}export type ${tsName} = ${symbols};\n`);
    } else if (node.type === 'fixed') {
      ctx.declarations.push(
        `${docComment([...doc, `Fixed, ${String(node.size)} bytes.`], '')}export type ${tsName} = Buffer;\n`,
      );
    } else {
      const fields = (node.fields as Record<string, unknown>[]).map((field) => {
        const fieldType = render(field.type, childNamespace, ctx);
        const logical = (field.type as { logicalType?: unknown } | null)?.logicalType;
        const lines = [
          typeof field.doc === 'string' ? field.doc : '',
          typeof logical === 'string' ? `Avro logical type ${logical}.` : '',
          'default' in field
            ? `Default ${JSON.stringify(field.default)} when the writer lacks the field.`
            : '',
        ];
        return `${docComment(lines, '  ')}  ${String(field.name)}: ${fieldType};\n`;
      });
      ctx.declarations.push(`${docComment(doc, '')}export interface ${tsName} {\n${fields.join('')}}\n`);
    }
    return tsName;
  }

  function render(schema: unknown, namespace: string | undefined, ctx: FileContext): string {
    if (typeof schema === 'string') return PRIMITIVES[schema] ?? reference(schema, namespace, ctx);
    if (Array.isArray(schema)) {
      const buckets = schema.map((branch) => bucketOf(branch, namespace));
      const duplicate = buckets.find((bucket, index) => buckets.indexOf(bucket) !== index);
      if (duplicate !== undefined) {
        throw new GenerationError(
          `${ctx.file}: union has two ${duplicate} branches; avsc would wrap it (unsupported)`,
        );
      }
      return schema.map((branch) => render(branch, namespace, ctx)).join(' | ');
    }
    if (typeof schema !== 'object' || schema === null) {
      throw new GenerationError(`${ctx.file}: invalid schema ${JSON.stringify(schema)}`);
    }
    const node = schema as Record<string, unknown>;
    const ownNamespace = typeof node.namespace === 'string' ? node.namespace : namespace;
    switch (node.type) {
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed':
        return define(node, ownNamespace, ctx);
      case 'array': {
        const items = render(node.items, namespace, ctx);
        return items.includes(' | ') ? `(${items})[]` : `${items}[]`;
      }
      case 'map':
        return `Record<string, ${render(node.values, namespace, ctx)}>`;
      default:
        return render(node.type, namespace, ctx);
    }
  }

  const sorted = [...inputs].sort((a, b) => a.record.localeCompare(b.record));
  for (const input of sorted) {
    const ctx: FileContext = { file: input.record, declarations: [], imports: new Map() };
    render(input.schema, undefined, ctx);
    const imports = [...ctx.imports]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([file, names]) => `import type { ${[...names].sort().join(', ')} } from './${file}';\n`);
    const header = `// Generated by libs/contracts/tools/generate-types.ts from ${input.source}. Do not edit.\n`;
    files.set(
      `${input.record}.ts`,
      [header, imports.join(''), '', ...ctx.declarations].join('\n').replace(/\n{3,}/g, '\n\n'),
    );
  }
  const index = sorted.map((input) => `export * from './${input.record}';\n`).join('');
  files.set('index.ts', `// Generated by libs/contracts/tools/generate-types.ts. Do not edit.\n${index}`);
  return files;
}
