import type { IHeaders } from 'kafkajs';
import { headerText, Headers } from '@streamscore/contracts';
import type { TopicRecord } from '@streamscore/kafka';

/** A dead letter as `consume dead-letters` and `dlq list` print it. */
export interface DeadLetterRow {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly code: string;
  readonly reason: string;
  readonly fields: readonly string[];
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string } | null;
  readonly contentType: string | null;
  /** The rejected bytes, base64. */
  readonly payload: string | null;
}

/** Reason headers the gate adds; a re-sent record goes back without them. */
export const DEAD_LETTER_HEADERS: readonly string[] = [
  Headers.dlqCode,
  Headers.dlqReason,
  Headers.dlqFields,
  Headers.dlqDropped,
  Headers.sourceTopic,
  Headers.sourcePartition,
  Headers.sourceOffset,
];

function parseFields(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map(String) : [text];
  } catch {
    return [text];
  }
}

export function deadLetterRow(message: TopicRecord): DeadLetterRow {
  const h = message.headers;
  const sourceTopic = headerText(h, Headers.sourceTopic);
  return {
    partition: message.partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    code: headerText(h, Headers.dlqCode) ?? 'UNKNOWN',
    reason: headerText(h, Headers.dlqReason) ?? '',
    fields: parseFields(headerText(h, Headers.dlqFields)),
    source:
      sourceTopic === undefined
        ? null
        : {
            topic: sourceTopic,
            partition: Number(headerText(h, Headers.sourcePartition) ?? '-1'),
            offset: headerText(h, Headers.sourceOffset) ?? '',
          },
    contentType: headerText(h, Headers.contentType) ?? null,
    payload: message.value === null ? null : message.value.toString('base64'),
  };
}

/** The original headers: the record's own, without the reason headers. */
export function originalHeaders(headers: IHeaders): IHeaders {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!DEAD_LETTER_HEADERS.includes(name) && value !== undefined) out[name] = value;
  }
  return out;
}

/** Counts by reason code, most frequent first. */
export function countByCode(rows: readonly DeadLetterRow[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.code, (counts.get(row.code) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** `p:o,p:o` → set of `p:o` keys; throws on anything else. */
export function parseOffsets(text: string): Set<string> {
  const keys = new Set<string>();
  for (const part of text.split(',')) {
    const match = /^\s*(\d+):(\d+)\s*$/.exec(part);
    if (match === null) throw new Error(`--offsets: ${JSON.stringify(part)} is not partition:offset`);
    keys.add(`${Number(match[1])}:${BigInt(match[2] ?? '0')}`);
  }
  return keys;
}

export const offsetKey = (partition: number, offset: string): string => `${partition}:${offset}`;
