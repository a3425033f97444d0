import { isoInstantMs } from '@streamscore/contracts';
import type { FeatureQuery } from '@streamscore/features';

/** Bad user input, answered with 400 and this message. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

const EPOCH_MS = /^-?\d{1,16}$/;

/** `at` as epoch ms (`1700000000000`) or an ISO instant (`2001-01-05T10:00:00Z`); absent = now. */
export function parseAt(raw: unknown, nowMs: number, path = 'at'): number {
  if (raw === undefined || raw === '') return nowMs;
  if (typeof raw === 'number') {
    if (Number.isSafeInteger(raw)) return raw;
    throw new QueryError(`${path}: must be an integer epoch ms or an ISO 8601 instant, got ${raw}`);
  }
  if (typeof raw !== 'string')
    throw new QueryError(`${path}: must be an integer epoch ms or an ISO 8601 instant`);
  const text = raw.trim();
  if (EPOCH_MS.test(text)) return Number(text);
  // The instants event times accept (libs/contracts): a bare date or local time would depend on the server's zone.
  const ms = isoInstantMs(text);
  if (ms !== undefined) return ms;
  throw new QueryError(
    `${path}: must be an integer epoch ms or an ISO 8601 instant with a zone (e.g. 2001-01-05T10:00:00Z), got ${JSON.stringify(raw.slice(0, 64))}`,
  );
}

/** Checks one (view, entity, at) against the known views. */
export function parseQuery(
  raw: { view: unknown; entity: unknown; at: unknown },
  viewNames: ReadonlySet<string>,
  nowMs: number,
  path = '',
): FeatureQuery {
  const at = (field: string): string => (path ? `${path}.${field}` : field);
  if (typeof raw.view !== 'string' || !viewNames.has(raw.view)) {
    throw new QueryError(
      `${at('view')}: unknown feature view ${JSON.stringify(raw.view)}; known: ${[...viewNames].join(', ')}`,
    );
  }
  if (typeof raw.entity !== 'string' || raw.entity.length === 0 || raw.entity.length > 1_024)
    throw new QueryError(`${at('entity')}: must be a non-empty string of at most 1024 characters`);
  return { view: raw.view, entity: raw.entity, atMs: parseAt(raw.at, nowMs, at('at')) };
}

/** The body of POST /v1/features/batch: an array of {view, entity, at}. */
export function parseBatch(
  body: unknown,
  viewNames: ReadonlySet<string>,
  maxQueries: number,
  nowMs: number,
): FeatureQuery[] {
  if (!Array.isArray(body)) throw new QueryError('body must be a JSON array of {view, entity, at}');
  if (body.length > maxQueries)
    throw new QueryError(`at most ${maxQueries} queries per request, got ${body.length}`);
  return body.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new QueryError(`[${index}]: must be an object {view, entity, at}`);
    const fields = item as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((k) => k !== 'view' && k !== 'entity' && k !== 'at');
    if (unknown.length > 0) throw new QueryError(`[${index}].${unknown[0] ?? ''}: is not a known field`);
    return parseQuery(
      { view: fields['view'], entity: fields['entity'], at: fields['at'] },
      viewNames,
      nowMs,
      `[${index}]`,
    );
  });
}
