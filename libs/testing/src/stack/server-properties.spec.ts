import { newClusterId, renderServerProperties } from './server-properties';

function parse(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)] as const;
      }),
  );
}

describe('renderServerProperties', () => {
  const properties = parse(
    renderServerProperties({ kafkaPort: 19092, controllerPort: 19093, logDirs: '/data/k' }),
  );

  it('should make one KRaft node that is broker and controller on the chosen ports', () => {
    expect(properties.get('process.roles')).toBe('broker,controller');
    expect(properties.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(properties.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(properties.get('log.dirs')).toBe('/data/k');
  });

  it('should set replication factor 1 for the internal topics so groups and transactions work on one node', () => {
    expect(properties.get('offsets.topic.replication.factor')).toBe('1');
    expect(properties.get('transaction.state.log.replication.factor')).toBe('1');
    expect(properties.get('transaction.state.log.min.isr')).toBe('1');
  });

  it('should refuse to create topics implicitly and not delay the first rebalance', () => {
    expect(properties.get('auto.create.topics.enable')).toBe('false');
    expect(properties.get('group.initial.rebalance.delay.ms')).toBe('0');
  });
});

describe('renderServerProperties with a SASL_SSL listener', () => {
  const properties = parse(
    renderServerProperties({
      kafkaPort: 19092,
      controllerPort: 19093,
      logDirs: '/data/k',
      saslSsl: { port: 19094, keystoreFile: '/data/tls/server.p12', keystorePassword: 'pw' },
    }),
  );

  it('should add SASL_SSL beside PLAINTEXT, which stays the inter-broker listener', () => {
    expect(properties.get('listeners')).toBe(
      'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093,SASL_SSL://127.0.0.1:19094',
    );
    expect(properties.get('advertised.listeners')).toBe(
      'PLAINTEXT://127.0.0.1:19092,SASL_SSL://127.0.0.1:19094',
    );
    expect(properties.get('inter.broker.listener.name')).toBe('PLAINTEXT');
    expect(properties.get('listener.security.protocol.map')).toBe(
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL',
    );
  });

  it('should enable SCRAM-SHA-256 only, with the PKCS#12 keystore', () => {
    expect(properties.get('sasl.enabled.mechanisms')).toBe('SCRAM-SHA-256');
    expect(properties.get('listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config')).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    );
    expect(properties.get('ssl.keystore.type')).toBe('PKCS12');
    expect(properties.get('ssl.keystore.location')).toBe('/data/tls/server.p12');
  });
});

describe('newClusterId', () => {
  it('should encode 16 bytes as 22 URL-safe base64 characters, as Kafka Uuid does', () => {
    const id = newClusterId((size) => Buffer.alloc(size, 0xfb));
    expect(id).toHaveLength(22);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(id).toBe('-_v7-_v7-_v7-_v7-_v7-w');
  });
});
