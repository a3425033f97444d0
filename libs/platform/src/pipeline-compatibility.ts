import { existsSync } from 'node:fs';
import {
  checkCompatibility,
  COMPATIBILITY_MODES,
  DEFAULT_COMPATIBILITY,
  describeCompatibilityProblem,
  isCompatibilityMode,
  type CompatibilityMode,
} from '@streamscore/contracts';

type At = (path: string, message: string) => Error;

/**
 * A stream's `compatibility` in the pipeline file (issue #23): how its schema history may evolve,
 * one of COMPATIBILITY_MODES (libs/contracts schema-compatibility.ts, where the modes and the
 * default, DEFAULT_COMPATIBILITY, are argued):
 *
 *   "compatibility": "FULL_TRANSITIVE"
 *
 * The history in `schemaDir` is checked under it when the pipeline is loaded, so a service (and
 * any CLI command that reads the pipeline) refuses to start on an evolution the mode forbids,
 * naming the folder, the two versions, the mode and avsc's reason. A `schemaDir` that does not
 * exist is not checked here: a service that reads the stream fails when it loads the history,
 * and one that does not (drift-monitor) need not have it.
 */
export function streamCompatibility(
  raw: unknown,
  stream: { readonly path: string; readonly schemaDir: string },
  at: At,
): CompatibilityMode {
  const path = `${stream.path}.compatibility`;
  if (raw !== undefined && !isCompatibilityMode(raw))
    throw at(path, `must be one of ${COMPATIBILITY_MODES.join(', ')}, got ${JSON.stringify(raw)}`);
  const mode = raw ?? DEFAULT_COMPATIBILITY;
  if (!existsSync(stream.schemaDir)) return mode;
  const problems = checkCompatibility(stream.schemaDir, mode);
  if (problems.length > 0) {
    const stated = raw === undefined ? ' (the default)' : '';
    throw at(
      path,
      `${mode}${stated} does not hold for the stream's schema history: ${problems
        .map(describeCompatibilityProblem)
        .join('; ')}`,
    );
  }
  return mode;
}
