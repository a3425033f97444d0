/**
 * A service entry point's first import: swaps kafkajs' partition grouping, record encoder and batch
 * checksum for this library's before anything loads kafkajs (record-encoding/). Not part of the
 * library's index on purpose: the benchmarks' pass-through baselines must run plain kafkajs.
 */
import { useFastKafkaEncoders, useLinearPartitionGrouping } from './record-encoding/kafkajs-encoders';

// Run for their effect; the platform module reports how each install went once it boots.
useLinearPartitionGrouping();
useFastKafkaEncoders();
