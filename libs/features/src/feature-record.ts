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
 * Extracts what the view needs (time as epoch ms or a Date); undefined when the record cannot be placed (no id, no finite
 * time, no entity, or a non-finite value). Online and offline reject exactly the same records.
 */
export function toViewRecord(
  view: FeatureView,
  valueFields: readonly ValueField[],
  record: FeatureRecord,
): ViewRecord | undefined {
  const id = keyPart(fieldOf(record, view.idField));
  const timeValue = fieldOf(record, view.timeField);
  // Avro timestamp-millis decodes to a Date unless the decoder was told otherwise.
  const timeMs = timeValue instanceof Date ? timeValue.getTime() : timeValue;
  const entity = entityOf(view, record);
  if (id === undefined || typeof timeMs !== 'number' || !Number.isFinite(timeMs) || entity === undefined) {
    return undefined;
  }
  const values: number[] = [];
  for (const field of valueFields) {
    const value = fieldOf(record, field.name);
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    values.push(value);
  }
  return { id, timeMs, entity, values };
}
