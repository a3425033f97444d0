import type { IHeaders } from 'kafkajs';
import { ContentTypes, entityKeyOf, Headers, type Decoder } from '@streamscore/contracts';
import type { InputRecord } from '../io/record-formats';

export type PayloadEncoding = 'avro' | 'json';

export interface EncodedMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: IHeaders;
}

export class RecordRejected extends Error {
  override readonly name = 'RecordRejected';
}

/**
 * Encodes input records for a stream. `avro`: checked against the stream's latest schema and
 * written in single-object encoding (a record that does not fit is refused here, naming the field);
 * `json`: sent as JSON text with a JSON content type, unchecked, for the ingestion gate to judge.
 */
export class RecordEncoder {
  constructor(
    private readonly decoder: Decoder<Record<string, unknown>>,
    private readonly keyFields: readonly string[],
    private readonly encoding: PayloadEncoding,
  ) {}

  encode(record: InputRecord, index: number): EncodedMessage {
    if (this.encoding === 'json') {
      return {
        key: entityKeyOf(record, this.keyFields),
        value: Buffer.from(JSON.stringify(record)),
        headers: { [Headers.contentType]: ContentTypes.json },
      };
    }
    const result = this.decoder.fromJson(structuredClone(record));
    if (!result.ok) {
      const fields = result.fields.length > 0 ? ` (${result.fields.join(', ')})` : '';
      throw new RecordRejected(`record ${index + 1}: ${result.code}${fields}: ${result.reason}`);
    }
    return {
      key: entityKeyOf(result.record, this.keyFields),
      value: result.canonical,
      headers: { [Headers.contentType]: ContentTypes.avro },
    };
  }
}
