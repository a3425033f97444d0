import { randomName } from './names';

describe('randomName', () => {
  it('should keep the prefix and be valid as a Kafka topic name', () => {
    expect(randomName('orders')).toMatch(/^orders-[a-z0-9]+-[0-9a-f]{8}$/);
  });

  it('should not repeat', () => {
    const names = new Set(Array.from({ length: 1000 }, () => randomName('x')));
    expect(names.size).toBe(1000);
  });
});
