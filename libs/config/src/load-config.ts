import { ConfigError, type ConfigProblem } from './config-error';
import type { EnvField } from './env-fields';
import { redactUrl } from './env-fields';

export type EnvSpec = Record<string, EnvField<unknown>>;
export type ConfigOf<S extends EnvSpec> = { [K in keyof S]: S[K] extends EnvField<infer T> ? T : never };

export interface LoadOptions {
  /**
   * Variables starting with one of these prefixes must be declared in the spec: a typo such as
   * STREAMSCORE_MAX_BACH_ROWS stops start-up instead of being silently ignored.
   */
  readonly strictPrefixes?: readonly string[];
}

/** Validates the whole spec at once and throws one ConfigError naming every bad variable. */
export function loadConfig<S extends EnvSpec>(
  spec: S,
  env: Readonly<Record<string, string | undefined>>,
  options: LoadOptions = {},
): ConfigOf<S> {
  const problems: ConfigProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, fieldSpec] of Object.entries(spec)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (fieldSpec.defaultValue !== undefined || fieldSpec.optional) {
        out[name] = fieldSpec.defaultValue;
        continue;
      }
      problems.push({
        variable: name,
        message: `is required${fieldSpec.description ? ` (${fieldSpec.description})` : ''}`,
      });
      continue;
    }
    const parsed = fieldSpec.parse(raw);
    if (parsed.ok) out[name] = parsed.value;
    else problems.push({ variable: name, message: parsed.message });
  }
  for (const prefix of options.strictPrefixes ?? []) {
    for (const name of Object.keys(env)) {
      if (name.startsWith(prefix) && !(name in spec)) {
        problems.push({ variable: name, message: 'is not a known setting of this service' });
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** A loggable copy: secrets become '***', passwords inside URLs are hidden. */
export function redactConfig<S extends EnvSpec>(spec: S, config: ConfigOf<S>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(config as Record<string, unknown>)) {
    if (spec[name]?.secret) out[name] = value === undefined ? undefined : '***';
    else if (typeof value === 'string') out[name] = redactUrl(value);
    else out[name] = value;
  }
  return out;
}
