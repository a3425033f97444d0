import Module, { createRequire } from 'node:module';
import { crc32c } from './crc32c';
import { groupMessagesPerPartition } from './group-by-partition';
import { encodeRecord } from './record-encoder';

/** The kafkajs release whose internal module layout this was written and tested against. */
const KAFKAJS_VERSION = '2.2.4';

export type EncoderInstall = 'installed' | 'unsupported-version' | 'too-late' | 'not-applicable';

const load = createRequire(__filename);

function resolve(path: string): string {
  return load.resolve(`kafkajs/src/${path}`);
}

/** Why the installed kafkajs cannot be patched, or undefined when it is the version we know. */
function versionProblem(): EncoderInstall | undefined {
  let version: string;
  try {
    version = (load('kafkajs/package.json') as { version: string }).version;
  } catch {
    return 'not-applicable';
  }
  return version === KAFKAJS_VERSION ? undefined : 'unsupported-version';
}

/** Registers `exports` as the already-loaded module at `filename`, so later requires get it. */
function preload(filename: string, exports: unknown): void {
  const module = new Module(filename);
  module.filename = filename;
  module.loaded = true;
  module.exports = exports;
  load.cache[filename] = module;
}

/**
 * Swaps kafkajs' per-record encoder and batch checksum for the ones in this folder, which write
 * the same bytes with one exact-size allocation per record and eight bytes per checksum step.
 * kafkajs loads its produce request lazily, so this works when called before the process first
 * produces; afterwards it reports 'too-late' and changes nothing. Only for kafkajs 2.2.4 (its
 * internals are not an API); any other version is left alone. Services call it from their entry
 * point's first import (`@streamscore/kafka/preload`); the benchmarks' pass-through baselines do
 * not, so they measure plain kafkajs.
 */
export function useFastKafkaEncoders(): EncoderInstall {
  const problem = versionProblem();
  if (problem) return problem;
  const record = resolve('protocol/recordBatch/record/v0/index.js');
  const crc = resolve('protocol/recordBatch/crc32C/index.js');
  if (load.cache[record]?.exports === encodeRecord) return 'installed';
  // The modules that capture these two at load time must not be loaded yet.
  if (
    load.cache[resolve('protocol/requests/produce/v3/request.js')] ||
    load.cache[resolve('protocol/recordBatch/v0/index.js')]
  )
    return 'too-late';
  preload(record, encodeRecord);
  preload(crc, crc32c);
  // Under a module system of its own (jest) the cache is not Node's: nothing was swapped.
  return load(record) === encodeRecord ? 'installed' : 'not-applicable';
}

/**
 * Swaps kafkajs' quadratic grouping of a send's messages by partition for a linear one
 * (group-by-partition.ts). kafkajs loads it with the producer, when `kafkajs` itself is first
 * required: this must run before that, so services call it from their entry point's first import
 * (`@streamscore/kafka/preload`). Only for kafkajs 2.2.4.
 */
export function useLinearPartitionGrouping(): EncoderInstall {
  const problem = versionProblem();
  if (problem) return problem;
  const grouping = resolve('producer/groupMessagesPerPartition.js');
  if (load.cache[grouping]?.exports === groupMessagesPerPartition) return 'installed';
  if (load.cache[resolve('producer/sendMessages.js')]) return 'too-late';
  preload(grouping, groupMessagesPerPartition);
  return load(grouping) === groupMessagesPerPartition ? 'installed' : 'not-applicable';
}
