/**
 * server.properties for one KRaft node that is broker and controller at once, with the settings
 * a single node needs for consumer groups and transactions (platform-notes; Kafka docs
 * "KRaft" and "Broker Configs"): every internal topic at replication factor 1.
 */
export interface ServerPropertiesInput {
  readonly kafkaPort: number;
  readonly controllerPort: number;
  readonly logDirs: string;
  /** Adds a SASL_SSL listener (SCRAM-SHA-256 over TLS) on this port; PLAINTEXT stays for the harness. */
  readonly saslSsl?: {
    readonly port: number;
    readonly keystoreFile: string;
    readonly keystorePassword: string;
  };
}

export function renderServerProperties(input: ServerPropertiesInput): string {
  const host = '127.0.0.1';
  const secure = input.saslSsl;
  const saslListener = secure ? `,SASL_SSL://${host}:${secure.port}` : '';
  const entries: readonly (readonly [string, string | number | boolean])[] = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@${host}:${input.controllerPort}`],
    [
      'listeners',
      `PLAINTEXT://${host}:${input.kafkaPort},CONTROLLER://${host}:${input.controllerPort}${saslListener}`,
    ],
    ['advertised.listeners', `PLAINTEXT://${host}:${input.kafkaPort}${saslListener}`],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    [
      'listener.security.protocol.map',
      `CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT${secure ? ',SASL_SSL:SASL_SSL' : ''}`,
    ],
    ...(secure ? saslSslEntries(secure) : []),
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

/**
 * SCRAM-SHA-256 over TLS on the SASL_SSL listener (Kafka docs "Authentication using SASL/SCRAM"):
 * the users' credentials are stored in the KRaft metadata by `StorageTool format --add-scram`.
 */
function saslSslEntries(
  secure: NonNullable<ServerPropertiesInput['saslSsl']>,
): (readonly [string, string])[] {
  return [
    ['sasl.enabled.mechanisms', 'SCRAM-SHA-256'],
    [
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config',
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    ],
    ['ssl.keystore.type', 'PKCS12'],
    ['ssl.keystore.location', secure.keystoreFile],
    ['ssl.keystore.password', secure.keystorePassword],
    ['ssl.client.auth', 'none'],
  ];
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (Kafka's Uuid.toString). */
export function newClusterId(randomBytes: (size: number) => Buffer): string {
  return randomBytes(16).toString('base64url');
}
