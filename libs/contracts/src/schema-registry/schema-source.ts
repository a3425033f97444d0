/** A writer schema fetched from a Confluent-compatible schema registry. */
export interface RegistrySchema {
  readonly id: number;
  /** The schema as the registry stores it: a JSON string. */
  readonly schema: string;
  /** `AVRO` (the registry's default when the field is absent), `PROTOBUF` or `JSON`. */
  readonly schemaType: string;
}

/**
 * Where the decoder finds Confluent writer schemas by id. Resolves null when the id is unknown
 * (a data problem: dead-letter); rejects with a RetriableError when the registry cannot answer
 * (an infrastructure problem: pause and retry).
 */
export interface SchemaSource {
  getSchema(id: number): Promise<RegistrySchema | null>;
}
