import type * as avro from 'avsc';
import { readSchemaVersions, resolveWriter, type SchemaVersion } from './schema-history';

/**
 * How a schema history may evolve, as in Confluent Schema Registry. "vR reads vW" means avsc's
 * `reader.createResolver(writer)` succeeds: data written with vW can be decoded as vR.
 * - BACKWARD: each version reads data written with the previous one (new code reads old data).
 * - FORWARD: each version's data is read by the previous one (old code reads new data).
 * - FULL: both. The `_TRANSITIVE` variants check every earlier version, not just the previous.
 * - NONE: no rule between versions.
 * Whatever the mode, loadSchemaHistory still requires the latest version to read every older one:
 * the decoders read every version as the latest (that is a decoding need, not a mode).
 */
export const COMPATIBILITY_MODES = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;

export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];

/**
 * The default, for the platform's own schemas (platform-schemas.ts) and for a pipeline stream that
 * states no `compatibility`: BACKWARD_TRANSITIVE, stricter than Confluent's BACKWARD.
 * - BACKWARD: the platform writes single-object Avro named by the writer's fingerprint, and a
 *   decoder knows only the versions of its own history, so old code cannot read new data whatever
 *   the schemas say (UNKNOWN_SCHEMA): upgrades go readers first, and new code must read old data.
 * - TRANSITIVE: old data stays in the topics long after the next version ships (predictions 7 days,
 *   drift reports 90, dead letters 30 and resent through the gate, model deployments compacted and
 *   audit records forever), so a version must read every earlier one, not just the previous.
 * A stream whose producers upgrade first through a schema registry (Confluent framing, where the
 * decoder resolves unknown writers) can state FORWARD or FULL in the pipeline file.
 */
export const DEFAULT_COMPATIBILITY: CompatibilityMode = 'BACKWARD_TRANSITIVE';

export function isCompatibilityMode(value: unknown): value is CompatibilityMode {
  return (COMPATIBILITY_MODES as readonly unknown[]).includes(value);
}

/** One evolution step a mode forbids: `reader` cannot read data written with `writer`. */
export interface CompatibilityProblem {
  /** The schema history directory; empty for types checked without one. */
  readonly dir: string;
  readonly mode: CompatibilityMode;
  /** Version numbers (1-based); 0 for both when the history itself cannot be read. */
  readonly reader: number;
  readonly writer: number;
  /** avsc's reason, or why the history cannot be read. */
  readonly message: string;
}

/** Which directions a mode checks, and against which earlier versions. */
const RULES: Readonly<
  Record<CompatibilityMode, { backward: boolean; forward: boolean; transitive: boolean }>
> = {
  BACKWARD: { backward: true, forward: false, transitive: false },
  BACKWARD_TRANSITIVE: { backward: true, forward: false, transitive: true },
  FORWARD: { backward: false, forward: true, transitive: false },
  FORWARD_TRANSITIVE: { backward: false, forward: true, transitive: true },
  FULL: { backward: true, forward: true, transitive: false },
  FULL_TRANSITIVE: { backward: true, forward: true, transitive: true },
  NONE: { backward: false, forward: false, transitive: false },
};

/** The (reader, writer) pairs of versions 1..count that a mode requires to resolve. */
export function requiredReads(
  count: number,
  mode: CompatibilityMode,
): { readonly reader: number; readonly writer: number }[] {
  const { backward, forward, transitive } = RULES[mode];
  const pairs: { reader: number; writer: number }[] = [];
  for (let newer = 2; newer <= count; newer++) {
    for (let older = transitive ? 1 : newer - 1; older < newer; older++) {
      if (backward) pairs.push({ reader: newer, writer: older });
      if (forward) pairs.push({ reader: older, writer: newer });
    }
  }
  return pairs;
}

/**
 * The pure check: `types` are versions 1..N of one record, oldest first. An empty list means the
 * history evolves as `mode` allows.
 */
export function compatibilityProblems(
  types: readonly avro.Type[],
  mode: CompatibilityMode,
  dir = '',
): CompatibilityProblem[] {
  const problems: CompatibilityProblem[] = [];
  for (const { reader, writer } of requiredReads(types.length, mode)) {
    const [readerType, writerType] = [types[reader - 1], types[writer - 1]];
    if (!readerType || !writerType) continue;
    const { error } = resolveWriter(readerType, writerType);
    if (error !== undefined) problems.push({ dir, mode, reader, writer, message: error });
  }
  return problems;
}

/**
 * Checks the history in `dir` (`v1.avsc` .. `vN.avsc`) under `mode`. A history that cannot be read
 * (unparsable file, gap, no versions) is one problem with versions 0, never a throw.
 */
export function checkCompatibility(dir: string, mode: CompatibilityMode): CompatibilityProblem[] {
  let versions: SchemaVersion[];
  try {
    versions = readSchemaVersions(dir);
  } catch (error) {
    return [{ dir, mode, reader: 0, writer: 0, message: (error as Error).message }];
  }
  return compatibilityProblems(
    versions.map((version) => version.type),
    mode,
    dir,
  );
}

/** One line naming the folder, the two versions, the mode and avsc's reason. */
export function describeCompatibilityProblem(problem: CompatibilityProblem): string {
  const { dir, mode, reader, writer, message } = problem;
  if (reader === 0) return `${dir}: cannot check ${mode}: ${message}`;
  const where = dir === '' ? '' : `${dir}: `;
  return `${where}${mode} needs v${reader} to read data written with v${writer}, and it cannot: ${message}`;
}
