import type { IHeaders } from 'kafkajs';
import {
  ContentTypes,
  DEFAULT_DECODER_LIMITS,
  entityKeyOf,
  Headers,
  type Decoder,
  type DecodeFailure,
} from '@streamscore/contracts';
import type { InputRecord } from '../io/record-formats';

export type PayloadEncoding = 'avro' | 'json';

export interface EncodedMessage {
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: IHeaders;
}

export type EncodeResult =
  | { readonly ok: true; readonly message: EncodedMessage }
  | Pick<DecodeFailure, 'ok' | 'code' | 'reason' | 'fields'>;

/**
 * Encodes input records for a stream. `avro`: checked against the stream's latest schema and
 * written in single-object encoding (a record that does not fit is refused here, naming the field);
 * `json`: sent as JSON text with a JSON content type, unchecked, for the ingestion gate to judge.
 * Either way a payload over `maxMessageBytes` (the gate's STREAMSCORE_MAX_MESSAGE_BYTES, 1 MiB by
 * default) is refused TOO_LARGE: the gate would only dead-letter it.
 */
export class RecordEncoder {
  constructor(
    private readonly decoder: Decoder<Record<string, unknown>>,
    private readonly keyFields: readonly string[],
    private readonly encoding: PayloadEncoding,
    private readonly maxMessageBytes: number = DEFAULT_DECODER_LIMITS.maxMessageBytes,
  ) {}

  encode(record: InputRecord): EncodeResult {
    if (this.encoding === 'json') {
      return this.sized({
        key: entityKeyOf(record, this.keyFields),
        value: Buffer.from(JSON.stringify(record)),
        headers: { [Headers.contentType]: ContentTypes.json },
      });
    }
    const result = this.decoder.fromJson(structuredClone(record));
    if (!result.ok) return result;
    return this.sized({
      key: entityKeyOf(result.record, this.keyFields),
      value: result.canonical,
      headers: { [Headers.contentType]: ContentTypes.avro },
    });
  }

  private sized(message: EncodedMessage): EncodeResult {
    if (message.value.length <= this.maxMessageBytes) return { ok: true, message };
    return {
      ok: false,
      code: 'TOO_LARGE',
      reason: `payload of ${message.value.length} bytes exceeds ${this.maxMessageBytes}`,
      fields: [],
    };
  }
}
