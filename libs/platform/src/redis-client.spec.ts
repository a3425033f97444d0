import type { Redis } from 'ioredis';
import { reconnectDelayMs, redisOptions, redisReadinessCheck } from './redis-client';

describe('redisOptions', () => {
  it('should fail a command after 2 retries and time out a connect after 5 s by default', () => {
    const options = redisOptions({ url: 'redis://cache:6379' });
    expect(options.maxRetriesPerRequest).toBe(2);
    expect(options.connectTimeout).toBe(5_000);
    expect(options.retryStrategy).toBe(reconnectDelayMs);
    expect(options).not.toHaveProperty('tls');
    expect(options).not.toHaveProperty('username');
  });

  it('should take the timeout and the retries from the caller', () => {
    const options = redisOptions({ url: 'redis://cache', connectTimeoutMs: 200, maxRetriesPerRequest: 0 });
    expect(options.connectTimeout).toBe(200);
    expect(options.maxRetriesPerRequest).toBe(0);
  });

  it('should pass the ACL user and password, and skip empty ones', () => {
    expect(redisOptions({ url: 'redis://cache', username: 'svc', password: 'pw' })).toMatchObject({
      username: 'svc',
      password: 'pw',
    });
    const empty = redisOptions({ url: 'redis://cache', username: '', password: '' });
    expect(empty).not.toHaveProperty('username');
    expect(empty).not.toHaveProperty('password');
  });

  it('should turn TLS on for rediss:// with the system CAs when no CA file is given', () => {
    expect(redisOptions({ url: 'rediss://cache:6380' }).tls).toEqual({});
  });
});

describe('reconnectDelayMs', () => {
  it('should double from 200 ms and cap at 5 s, never giving up', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(reconnectDelayMs)).toEqual([
      200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000,
    ]);
  });
});

describe('redisReadinessCheck', () => {
  it('should fail naming the connection status until the client is ready', async () => {
    const connecting = { status: 'connecting' } as unknown as Redis;
    await expect(redisReadinessCheck(connecting).check()).rejects.toThrow('redis connection is connecting');
  });

  it('should ping a ready client', async () => {
    const ping = jest.fn(() => Promise.resolve('PONG'));
    const ready = { status: 'ready', ping } as unknown as Redis;
    await redisReadinessCheck(ready).check();
    expect(ping).toHaveBeenCalledTimes(1);
  });
});
