import { homedir } from 'node:os';
import { join } from 'node:path';
import { StackError } from './errors';
import { REPO_ROOT, kafkaLibsDir, resolveStackOptions } from './options';

describe('resolveStackOptions', () => {
  it('should default to 9092/9093/6379 and a data dir per Kafka port in the user cache', () => {
    const options = resolveStackOptions({}, {});
    expect(options).toMatchObject({ kafkaPort: 9092, controllerPort: 9093, redisPort: 6379 });
    expect(options.dataDir).toBe(join(homedir(), '.cache', 'streamscore', 'stack', '9092'));
    expect(kafkaLibsDir(options)).toBe(join(homedir(), '.cache', 'streamscore', 'kafka-3.9.1', 'libs'));
    expect(options.pomFile).toBe(join(REPO_ROOT, 'tools', 'stack', 'pom.xml'));
  });

  it('should place the data dir under STREAMSCORE_STACK_DIR, and let --data-dir win', () => {
    expect(resolveStackOptions({ kafkaPort: 19092 }, { STREAMSCORE_STACK_DIR: '/tmp/s' }).dataDir).toBe(
      '/tmp/s/19092',
    );
    expect(resolveStackOptions({ dataDir: '/tmp/mine' }, { STREAMSCORE_STACK_DIR: '/tmp/s' }).dataDir).toBe(
      '/tmp/mine',
    );
  });

  it('should put the controller next to a chosen Kafka port', () => {
    expect(resolveStackOptions({ kafkaPort: 29092 }, {}).controllerPort).toBe(29093);
  });

  it('should take the given addresses unless told to ignore them', () => {
    const env = { KAFKA_BROKERS: 'k:1', REDIS_URL: 'redis://r:2' };
    expect(resolveStackOptions({}, env)).toMatchObject({
      givenKafkaBrokers: 'k:1',
      givenRedisUrl: 'redis://r:2',
    });
    expect(resolveStackOptions({ reuseGiven: false }, env)).toMatchObject({
      givenKafkaBrokers: undefined,
      givenRedisUrl: undefined,
    });
  });

  it.each([
    [{ kafkaPort: 0 }, /--kafka-port/],
    [{ redisPort: 70_000 }, /--redis-port/],
    [{ kafkaPort: 9000, controllerPort: 9000 }, /must differ/],
  ])('should reject %j with a one-line message', (input, message) => {
    expect(() => resolveStackOptions(input, {})).toThrow(StackError);
    expect(() => resolveStackOptions(input, {})).toThrow(message);
  });

  it('should reject a timeout that is not a number', () => {
    expect(() => resolveStackOptions({}, { STREAMSCORE_STACK_TIMEOUT_MS: 'soon' })).toThrow(
      /STREAMSCORE_STACK_TIMEOUT_MS/,
    );
  });
});
