import { PublishQueue } from './publish-queue';

describe('PublishQueue', () => {
  it('should refuse an item that would take it past its capacity, and keep what it holds', () => {
    const queue = new PublishQueue<string>(5);
    expect([queue.offer('a', 2), queue.offer('b', 3), queue.offer('c', 1)]).toEqual([true, true, false]);
    expect(queue.weight).toBe(5);
    expect(queue.drain()).toEqual({ items: ['a', 'b'], weight: 5 });
    expect(queue.isEmpty).toBe(true);
  });

  it('should hand out whole items oldest first up to the weight asked, and the oldest one however heavy', () => {
    const queue = new PublishQueue<string>(100);
    queue.offer('a', 40);
    queue.offer('b', 1);
    queue.offer('c', 1);
    expect(queue.take(10)).toEqual({ items: ['a'], weight: 40 });
    expect(queue.take(10)).toEqual({ items: ['b', 'c'], weight: 2 });
    expect(queue.take(10)).toEqual({ items: [], weight: 0 });
  });

  it('should refuse a capacity or a weight that is not a positive integer (BAD CALL)', () => {
    expect(() => new PublishQueue(0)).toThrow(RangeError);
    expect(() => new PublishQueue(1).offer('a', 0)).toThrow(RangeError);
  });
});
