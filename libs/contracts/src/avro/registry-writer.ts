import type * as avro from 'avsc';
import type { RegistrySchema } from '../schema-registry/schema-source';
import { boundedType, type ContainerBudget, type ContainerLimits } from './bounded-types';
import { decodeFailure, type DecodeFailure } from './decode-result';
import type { AvroResolver } from './schema-history';
import { schemaFingerprint } from './schema-fingerprint';

/** A writer schema the decoder can read: a local history version or a registry schema. */
export interface WriterSchema {
  /** Local history version; null for a registry schema that is not in the history. */
  readonly version: number | null;
  readonly fingerprint: bigint;
  readonly fingerprintLow: number;
  readonly fingerprintHigh: number;
  /** Undefined when the writer is the reader schema itself. */
  readonly resolver: AvroResolver | undefined;
  readonly isLatest: boolean;
}

export interface RegistryWriterContext {
  readonly reader: avro.Type;
  readonly readerName: string;
  readonly writers: readonly WriterSchema[];
  readonly limits: ContainerLimits;
  readonly budget: ContainerBudget;
}

/**
 * Turns a registry schema into a writer the reader resolves, or a permanent failure (cached by the
 * caller: schema ids never change). A registry schema equal to a local version (same CRC-64-AVRO
 * of the canonical form) reuses that version's resolver and reports its number.
 */
export function registryWriter(
  found: RegistrySchema,
  context: RegistryWriterContext,
): WriterSchema | DecodeFailure {
  const { reader, readerName, writers, limits, budget } = context;
  if (found.schemaType.toUpperCase() !== 'AVRO') {
    return decodeFailure('UNSUPPORTED_FORMAT', `schema id ${found.id} is ${found.schemaType}, not AVRO`);
  }
  let type: avro.Type;
  try {
    type = boundedType(JSON.parse(found.schema) as avro.Schema, limits, budget);
  } catch (error) {
    return decodeFailure(
      'UNKNOWN_SCHEMA',
      `schema id ${found.id} is not a valid Avro schema: ${(error as Error).message}`,
    );
  }
  const fingerprint = schemaFingerprint(type);
  const local = writers.find((writer) => writer.fingerprint === fingerprint);
  if (local) return local;
  try {
    return {
      version: null,
      fingerprint,
      fingerprintLow: Number(fingerprint & 0xffffffffn),
      fingerprintHigh: Number(fingerprint >> 32n),
      resolver: reader.createResolver(type),
      isLatest: false,
    };
  } catch (error) {
    return decodeFailure(
      'UNKNOWN_SCHEMA',
      `schema id ${found.id} cannot be read as ${readerName}: ${(error as Error).message}`,
    );
  }
}
