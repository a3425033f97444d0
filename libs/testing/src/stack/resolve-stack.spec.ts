import { StackError } from './errors';
import { parseTestStackKind, resolveTestStack } from './resolve-stack';

describe('parseTestStackKind', () => {
  it.each([
    [undefined, 'auto'],
    ['', 'auto'],
    ['local', 'local'],
    ['Docker', 'docker'],
    ['external', 'external'],
  ])('should read %p as %s', (value, kind) => {
    expect(parseTestStackKind(value)).toBe(kind);
  });

  it('should reject an unknown kind naming the choices', () => {
    expect(() => parseTestStackKind('k8s')).toThrow(
      'TEST_STACK=k8s is not one of auto|local|docker|external',
    );
  });
});

describe('resolveTestStack', () => {
  it('should use external addresses as given, owning nothing', async () => {
    const stack = await resolveTestStack({
      env: { TEST_STACK: 'external', KAFKA_BROKERS: 'k:9092', REDIS_URL: 'redis://r:6379' },
    });
    expect(stack).toMatchObject({ kind: 'external', kafkaBrokers: 'k:9092', redisUrl: 'redis://r:6379' });
    await expect(stack.stopKafka()).rejects.toThrow(StackError);
  });

  it('should name the missing variable for external', async () => {
    await expect(
      resolveTestStack({ env: { TEST_STACK: 'external', KAFKA_BROKERS: 'k:9092' } }),
    ).rejects.toThrow('TEST_STACK=external needs REDIS_URL');
  });
});
