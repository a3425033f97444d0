/**
 * server.properties for one KRaft node that is broker and controller at once, with the settings
 * a single node needs for consumer groups and transactions (platform-notes; Kafka docs
 * "KRaft" and "Broker Configs"): every internal topic at replication factor 1.
 */
export interface ServerPropertiesInput {
  readonly kafkaPort: number;
  readonly controllerPort: number;
  readonly logDirs: string;
}

export function renderServerProperties(input: ServerPropertiesInput): string {
  const host = '127.0.0.1';
  const entries: readonly (readonly [string, string | number | boolean])[] = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@${host}:${input.controllerPort}`],
    ['listeners', `PLAINTEXT://${host}:${input.kafkaPort},CONTROLLER://${host}:${input.controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${host}:${input.kafkaPort}`],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
    ['log.dirs', input.logDirs],
    // Topics are created explicitly, by the services' topic bootstrap and by tests.
    ['auto.create.topics.enable', false],
    ['num.partitions', 1],
    ['default.replication.factor', 1],
    ['min.insync.replicas', 1],
    ['offsets.topic.replication.factor', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    // One partition each: less start-up work on 2 cores; the first group join or transaction is faster.
    ['offsets.topic.num.partitions', 1],
    ['transaction.state.log.num.partitions', 1],
    // Default 3 s delays every first consumer-group join; nothing to wait for on one node.
    ['group.initial.rebalance.delay.ms', 0],
  ];
  return entries.map(([key, value]) => `${key}=${String(value)}`).join('\n') + '\n';
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (Kafka's Uuid.toString). */
export function newClusterId(randomBytes: (size: number) => Buffer): string {
  return randomBytes(16).toString('base64url');
}
