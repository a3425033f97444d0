export { crc32c } from './crc32c';
export { encodeRecord, type EncodedRecord, type RecordFields } from './record-encoder';
export { useFastKafkaEncoders, useLinearPartitionGrouping, type EncoderInstall } from './kafkajs-encoders';
export { groupMessagesPerPartition } from './group-by-partition';
