import { RetriableError } from '../errors';
import type { RegistrySchema, SchemaSource } from './schema-source';

export interface SchemaRegistryClientOptions {
  /** Base URL, e.g. `http://registry:8081`. */
  readonly url: string;
  /** Per-request deadline. */
  readonly timeoutMs?: number;
  /** How long an unknown id (404) is remembered, so a flood of bad ids does not flood the registry. */
  readonly notFoundTtlMs?: number;
  /** Bound on remembered unknown ids. */
  readonly maxNotFoundEntries?: number;
  /** Extra request headers, e.g. `authorization`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Clock for the not-found expiry (tests). */
  readonly now?: () => number;
}

const DEFAULTS = {
  timeoutMs: 5_000,
  notFoundTtlMs: 60_000,
  maxNotFoundEntries: 10_000,
} satisfies Partial<SchemaRegistryClientOptions>;

/**
 * Confluent Schema Registry client for `GET /schemas/ids/{id}`
 * (https://docs.confluent.io/platform/current/schema-registry/develop/api.html#get--schemas-ids-int-%20id).
 * Schema ids are immutable once assigned, so found schemas are cached for good; concurrent lookups
 * of one id share a request. 404 → null. Anything else that is not a usable 200 → RetriableError:
 * DEADLINE when the request timed out, UNAVAILABLE otherwise (refused, 5xx, 401/403, unreadable
 * body). The registry or its configuration is at fault, not the record, so the caller pauses
 * instead of dead-lettering.
 */
export class SchemaRegistryClient implements SchemaSource {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly notFoundTtlMs: number;
  private readonly maxNotFoundEntries: number;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly now: () => number;
  private readonly found = new Map<number, Promise<RegistrySchema | null>>();
  private readonly notFoundUntil = new Map<number, number>();
  private requestCount = 0;

  constructor(options: SchemaRegistryClientOptions) {
    const { url, timeoutMs, notFoundTtlMs, maxNotFoundEntries, headers, now } = { ...DEFAULTS, ...options };
    this.baseUrl = url.replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
    this.notFoundTtlMs = notFoundTtlMs;
    this.maxNotFoundEntries = maxNotFoundEntries;
    this.headers = { accept: 'application/vnd.schemaregistry.v1+json, application/json', ...headers };
    this.now = now ?? Date.now;
  }

  /** HTTP requests made so far (cache behaviour is observable in tests and metrics). */
  get requests(): number {
    return this.requestCount;
  }

  getSchema(id: number): Promise<RegistrySchema | null> {
    const expiry = this.notFoundUntil.get(id);
    if (expiry !== undefined) {
      if (expiry > this.now()) return Promise.resolve(null);
      this.notFoundUntil.delete(id);
    }
    let pending = this.found.get(id);
    if (!pending) {
      pending = this.fetchSchema(id).then(
        (schema) => {
          if (!schema) this.rememberNotFound(id);
          return schema;
        },
        (error: unknown) => {
          this.found.delete(id); // A failure is not cached: the next call retries.
          throw error;
        },
      );
      this.found.set(id, pending);
    }
    return pending;
  }

  private rememberNotFound(id: number): void {
    this.found.delete(id);
    if (this.notFoundUntil.size >= this.maxNotFoundEntries) this.notFoundUntil.clear();
    this.notFoundUntil.set(id, this.now() + this.notFoundTtlMs);
  }

  private async fetchSchema(id: number): Promise<RegistrySchema | null> {
    const url = `${this.baseUrl}/schemas/ids/${id}`;
    this.requestCount += 1;
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, { headers: this.headers, signal: AbortSignal.timeout(this.timeoutMs) });
      body = await response.text();
    } catch (error) {
      // AbortSignal.timeout aborts with a DOMException named TimeoutError.
      const code = (error as Error).name === 'TimeoutError' ? 'DEADLINE' : 'UNAVAILABLE';
      throw new RetriableError(`schema registry ${url} did not answer: ${(error as Error).message}`, {
        code,
        cause: error,
      });
    }
    if (response.status === 404) return null;
    if (response.status !== 200) {
      throw new RetriableError(`schema registry ${url} answered ${response.status}: ${body.slice(0, 200)}`);
    }
    return parseSchemaResponse(id, body, url);
  }
}

function parseSchemaResponse(id: number, body: string, url: string): RegistrySchema {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new RetriableError(`schema registry ${url} answered with invalid JSON`, { cause: error });
  }
  const { schema, schemaType } = (parsed ?? {}) as { schema?: unknown; schemaType?: unknown };
  if (typeof schema !== 'string') {
    throw new RetriableError(`schema registry ${url} answered without a "schema" string`);
  }
  return { id, schema, schemaType: typeof schemaType === 'string' ? schemaType : 'AVRO' };
}
