import { eventIdOf, eventTimeOf } from '@streamscore/contracts';
import { ENTITY_SEPARATOR, type FeatureView, type ValueField } from './feature-view';

/**
 * A source record as it comes off a stream (already decoded and validated upstream). Any object:
 * typed records (interfaces without an index signature) are accepted and read by field name.
 */
export type FeatureRecord = object;

function fieldOf(record: FeatureRecord, field: string): unknown {
  return (record as Readonly<Record<string, unknown>>)[field];
}

/** What a view needs from a record, extracted once. */
export interface ViewRecord {
  readonly id: string;
  readonly timeMs: number;
  readonly entity: string;
  /** One value per ValueField, same order. */
  readonly values: readonly number[];
}

function keyPart(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * The entity a record (or an event being scored) belongs to in this view, e.g. 'JFK' or
 * 'JFK|LAX'; undefined when a key field is missing or empty.
 */
export function entityOf(view: FeatureView, record: FeatureRecord): string | undefined {
  const parts: string[] = [];
  for (const field of view.entityKey) {
    const part = keyPart(fieldOf(record, field));
    if (part === undefined) return undefined;
    parts.push(part);
  }
  return parts.join(ENTITY_SEPARATOR);
}

/**
 * Extracts what the view needs (id and time by the stream rules of libs/contracts); undefined when
 * the record cannot be placed (no id, no usable time, no entity, or a non-finite value). Online and
 * offline reject exactly the same records.
 */
export function toViewRecord(
  view: FeatureView,
  valueFields: readonly ValueField[],
  record: FeatureRecord,
): ViewRecord | undefined {
  const id = eventIdOf(record, view.idField);
  const timeMs = eventTimeOf(record, view.timeField);
  const entity = entityOf(view, record);
  if (id === undefined || timeMs === undefined || entity === undefined) return undefined;
  const values: number[] = [];
  for (const field of valueFields) {
    const value = fieldOf(record, field.name);
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    values.push(value);
  }
  return { id, timeMs, entity, values };
}
