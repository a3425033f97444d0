import type Redis from 'ioredis';
import { testRedis } from './clients';
import { randomName } from './names';

describe('the test Redis', () => {
  let redis: Redis;
  const prefix = randomName('harness');

  beforeAll(() => {
    redis = testRedis();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('should round-trip a pipeline in one exchange, results in order', async () => {
    const results = await redis
      .pipeline()
      .set(`${prefix}:string`, 'value')
      .hset(`${prefix}:hash`, { delay: '12.5', carrier: 'XY' })
      .incrby(`${prefix}:counter`, 5)
      .incrby(`${prefix}:counter`, 2)
      .get(`${prefix}:string`)
      .hgetall(`${prefix}:hash`)
      .pexpire(`${prefix}:hash`, 60_000)
      .exec();

    expect(results?.map(([error]) => error)).toEqual(Array(7).fill(null));
    expect(results?.map(([, value]) => value)).toEqual([
      'OK',
      2,
      5,
      7,
      'value',
      { delay: '12.5', carrier: 'XY' },
      1,
    ]);
    expect(await redis.pttl(`${prefix}:hash`)).toBeGreaterThan(50_000);
  });
});
