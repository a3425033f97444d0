import type { DeadLetterCode } from '../errors';
import type { DecodeError } from './decode-error';

/** How the payload was framed. */
export type WireFormat = 'single-object' | 'confluent' | 'json';

export interface DecodeSuccess<T> {
  readonly ok: true;
  /** The record in the reader (latest) schema's shape. */
  readonly record: T;
  /** Version of the writer schema in the local history; null for a registry schema not in it. */
  readonly writerVersion: number | null;
  readonly format: WireFormat;
  /**
   * The record in single-object encoding with the latest schema: the input itself when it already
   * was (no re-encode), otherwise freshly encoded.
   */
  readonly canonical: Buffer;
}

/** Bad data is a value, not an exception: what failed, why, and where. */
export interface DecodeFailure {
  readonly ok: false;
  readonly code: DeadLetterCode;
  readonly reason: string;
  /** Failing field paths, dot-separated (`canary.share`, `items.3`); empty when not field-specific. */
  readonly fields: readonly string[];
}

export type DecodeResult<T> = DecodeSuccess<T> | DecodeFailure;

export function decodeFailure(
  code: DeadLetterCode,
  reason: string,
  fields: readonly string[] = [],
): DecodeFailure {
  return { ok: false, code, reason, fields };
}

export function failureFromError(error: DecodeError): DecodeFailure {
  return decodeFailure(error.code, error.message, error.fields);
}

/** Kafka message headers as kafkajs delivers them (IHeaders), without depending on kafkajs. */
export type MessageHeaders = Readonly<
  Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>
>;
