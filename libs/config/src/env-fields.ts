/**
 * Typed parsers for environment variables. Each field knows its default, whether it is secret
 * (redacted when logged) and how to parse; parse errors are messages, not exceptions.
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface EnvField<T> {
  readonly description: string;
  readonly secret: boolean;
  /** undefined = required. */
  readonly defaultValue: T | undefined;
  readonly optional: boolean;
  parse(raw: string): ParseResult<T>;
}

interface FieldOptions<T> {
  description?: string;
  default?: T;
  secret?: boolean;
  optional?: boolean;
}

function field<T>(options: FieldOptions<T>, parse: (raw: string) => ParseResult<T>): EnvField<T> {
  return {
    description: options.description ?? '',
    secret: options.secret ?? false,
    defaultValue: options.default,
    optional: options.optional ?? false,
    parse,
  };
}

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = (message: string): ParseResult<never> => ({ ok: false, message });

export function str(options: FieldOptions<string> & { pattern?: RegExp } = {}): EnvField<string> {
  return field(options, (raw) => {
    if (raw.length === 0) return fail('must not be empty');
    if (options.pattern && !options.pattern.test(raw)) return fail(`must match ${String(options.pattern)}`);
    return ok(raw);
  });
}

export function optionalStr(
  options: Omit<FieldOptions<string>, 'optional'> = {},
): EnvField<string | undefined> {
  return field<string | undefined>({ ...options, optional: true }, (raw) =>
    ok(raw.length === 0 ? undefined : raw),
  );
}

export function int(options: FieldOptions<number> & { min?: number; max?: number } = {}): EnvField<number> {
  return field(options, (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) return fail(`must be an integer, got "${raw}"`);
    const value = Number(raw);
    if (options.min !== undefined && value < options.min)
      return fail(`must be >= ${options.min}, got ${value}`);
    if (options.max !== undefined && value > options.max)
      return fail(`must be <= ${options.max}, got ${value}`);
    return ok(value);
  });
}

export function num(options: FieldOptions<number> & { min?: number; max?: number } = {}): EnvField<number> {
  return field(options, (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) return fail(`must be a finite number, got "${raw}"`);
    if (options.min !== undefined && value < options.min)
      return fail(`must be >= ${options.min}, got ${value}`);
    if (options.max !== undefined && value > options.max)
      return fail(`must be <= ${options.max}, got ${value}`);
    return ok(value);
  });
}

export function port(options: FieldOptions<number> = {}): EnvField<number> {
  return int({ min: 0, max: 65535, ...options });
}

export function bool(options: FieldOptions<boolean> = {}): EnvField<boolean> {
  return field(options, (raw) => {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return ok(true);
    if (['0', 'false', 'no', 'off'].includes(v)) return ok(false);
    return fail(`must be true or false, got "${raw}"`);
  });
}

export function oneOf<const T extends string>(
  values: readonly T[],
  options: FieldOptions<T> = {},
): EnvField<T> {
  return field(options, (raw) =>
    (values as readonly string[]).includes(raw)
      ? ok(raw as T)
      : fail(`must be one of ${values.join(', ')}, got "${raw}"`),
  );
}

/** Comma-separated list, whitespace trimmed, empty items rejected. */
export function list(
  options: FieldOptions<string[]> & { allowed?: readonly string[] } = {},
): EnvField<string[]> {
  return field(options, (raw) => {
    const items = raw.split(',').map((s) => s.trim());
    if (items.some((s) => s.length === 0)) return fail('must be a comma-separated list without empty items');
    if (options.allowed) {
      const bad = items.filter((s) => !options.allowed?.includes(s));
      if (bad.length > 0)
        return fail(`unknown item(s) ${bad.join(', ')}; allowed: ${options.allowed.join(', ')}`);
    }
    return ok(items);
  });
}

export function url(
  options: FieldOptions<string> & { protocols?: readonly string[] } = {},
): EnvField<string> {
  return field(options, (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return fail(`must be a URL, got "${redactUrl(raw)}"`);
    }
    if (options.protocols && !options.protocols.includes(parsed.protocol.replace(/:$/, ''))) {
      return fail(`protocol must be one of ${options.protocols.join(', ')}`);
    }
    return ok(raw);
  });
}

/** host:port[,host:port…] */
export function brokers(options: FieldOptions<string[]> = {}): EnvField<string[]> {
  return field(options, (raw) => {
    const items = raw.split(',').map((s) => s.trim());
    const bad = items.filter((s) => !/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(s));
    if (bad.length > 0 || items.length === 0) return fail(`must be host:port[,host:port…], got "${raw}"`);
    return ok(items);
  });
}

/** Hides the password of a URL such as redis://user:pass@host. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]*):([^@]*)@/, '//$1:***@');
}

export function optionalUrl(
  options: Omit<FieldOptions<string>, 'optional' | 'default'> & { protocols?: readonly string[] } = {},
): EnvField<string | undefined> {
  const inner = url(options);
  return field<string | undefined>({ ...options, optional: true }, (raw) => inner.parse(raw));
}
