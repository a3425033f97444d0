import { DEFAULT_COMPATIBILITY, type CompatibilityMode } from './avro/schema-compatibility';

/**
 * The platform's own schema histories (one folder each under schemas/, read from
 * STREAMSCORE_SCHEMAS_DIR) and the compatibility mode each evolves under: the one place that
 * declares them. A unit spec (platform-schemas.spec.ts) checks every folder of schemas/ under its
 * mode, so an evolution the mode forbids, or a folder without a mode, fails CI. All use the
 * default, BACKWARD_TRANSITIVE (argued at DEFAULT_COMPATIBILITY): new code reads every prediction,
 * report, alert, trigger and deployment record still in its topic.
 */
export const PLATFORM_SCHEMA_COMPATIBILITY = {
  prediction: DEFAULT_COMPATIBILITY,
  'drift-report': DEFAULT_COMPATIBILITY,
  'drift-alert': DEFAULT_COMPATIBILITY,
  'retraining-trigger': DEFAULT_COMPATIBILITY,
  'model-deployment': DEFAULT_COMPATIBILITY,
  'model-deployment-audit': DEFAULT_COMPATIBILITY,
} as const satisfies Readonly<Record<string, CompatibilityMode>>;

/** A folder of schemas/: the name of one of the platform's own schema histories. */
export type PlatformSchema = keyof typeof PLATFORM_SCHEMA_COMPATIBILITY;
