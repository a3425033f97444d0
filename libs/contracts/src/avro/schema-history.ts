import * as avro from 'avsc';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parsingCanonicalForm, schemaFingerprint } from './schema-fingerprint';

/** avsc's typings declare Resolver without exporting it. */
export type AvroResolver = ReturnType<avro.Type['createResolver']>;

export interface SchemaVersion {
  /** 1-based, from the file name `v<N>.avsc`. */
  readonly version: number;
  readonly file: string;
  /** The schema JSON as written, attributes included (e.g. `allowNonFinite` on fields). */
  readonly schema: avro.Schema;
  readonly type: avro.Type;
  readonly canonicalForm: string;
  /** CRC-64-AVRO of the canonical form (unsigned). */
  readonly fingerprint: bigint;
}

/**
 * One record's schema history: v1..vN. The latest version is the reader; every older version is a
 * writer the reader can resolve (checked at load: a history the reader cannot read is an error,
 * whatever its compatibility mode; the modes' rules between versions are schema-compatibility.ts).
 */
export interface SchemaHistory {
  readonly dir: string;
  /** Full name of the latest record schema, e.g. `streamscore.ModelDeployment`. */
  readonly name: string;
  readonly versions: readonly SchemaVersion[];
  readonly latest: SchemaVersion;
  /** Resolver reading version N's data as the latest version; absent for the latest itself. */
  resolverFor(version: number): AvroResolver | undefined;
}

export class SchemaHistoryError extends Error {
  override readonly name = 'SchemaHistoryError';
}

const VERSION_FILE = /^v([1-9]\d*)\.avsc$/;

function readVersion(dir: string, file: string, version: number): SchemaVersion {
  const path = join(dir, file);
  let schema: avro.Schema;
  let type: avro.Type;
  try {
    schema = JSON.parse(readFileSync(path, 'utf8')) as avro.Schema;
    type = avro.Type.forSchema(schema);
  } catch (error) {
    throw new SchemaHistoryError(`${path}: ${(error as Error).message}`, { cause: error });
  }
  if (type.typeName !== 'record') {
    throw new SchemaHistoryError(`${path}: top-level schema must be a record, got ${type.typeName}`);
  }
  return {
    version,
    file: path,
    schema,
    type,
    canonicalForm: parsingCanonicalForm(type),
    fingerprint: schemaFingerprint(type),
  };
}

/** Reads `dir/v1.avsc` .. `dir/vN.avsc`; versions must be contiguous from 1. */
export function readSchemaVersions(dir: string): SchemaVersion[] {
  const numbers = readdirSync(dir)
    .map((file) => VERSION_FILE.exec(file)?.[1])
    .filter((match): match is string => match !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  if (numbers.length === 0) throw new SchemaHistoryError(`${dir}: no v<N>.avsc files`);
  numbers.forEach((number, index) => {
    if (number !== index + 1) {
      throw new SchemaHistoryError(`${dir}: versions must run v1..vN without gaps, found v${number}`);
    }
  });
  return numbers.map((number) => readVersion(dir, `v${number}.avsc`, number));
}

/**
 * Whether `reader` can read data written with `writer`: avsc's resolver, or its reason when
 * `createResolver` throws. The one "reads" rule of histories and compatibility modes.
 */
export function resolveWriter(
  reader: avro.Type,
  writer: avro.Type,
): { resolver?: AvroResolver; error?: string } {
  try {
    return { resolver: reader.createResolver(writer) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Loads one record's history and builds a resolver from every older version to the latest. */
export function loadSchemaHistory(dir: string): SchemaHistory {
  const versions = readSchemaVersions(dir);
  const latest = versions[versions.length - 1];
  if (!latest) throw new SchemaHistoryError(`${dir}: no versions`);
  const resolvers = new Map<number, AvroResolver>();
  for (const writer of versions.slice(0, -1)) {
    const { resolver, error } = resolveWriter(latest.type, writer.type);
    if (!resolver) {
      throw new SchemaHistoryError(
        `${dir}: v${latest.version} cannot read data written with v${writer.version}: ${error}`,
      );
    }
    resolvers.set(writer.version, resolver);
  }
  return {
    dir,
    name: latest.type.name ?? '',
    versions,
    latest,
    resolverFor: (version) => resolvers.get(version),
  };
}

/** Subdirectories of each root that hold `v<N>.avsc` files: one per record. */
export function findSchemaDirectories(roots: readonly string[]): string[] {
  const dirs: string[] = [];
  for (const root of roots) {
    for (const entry of readdirSync(root).sort()) {
      const dir = join(root, entry);
      if (statSync(dir).isDirectory() && readdirSync(dir).some((file) => VERSION_FILE.test(file))) {
        dirs.push(dir);
      }
    }
  }
  return dirs;
}
