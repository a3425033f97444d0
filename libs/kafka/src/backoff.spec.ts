import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('should grow exponentially and stay within the cap', () => {
    const opts = { initialMs: 100, maxMs: 1_000 };
    expect(backoffDelayMs(0, opts, () => 0)).toBe(50);
    expect(backoffDelayMs(0, opts, () => 1)).toBe(100);
    expect(backoffDelayMs(3, opts, () => 1)).toBe(800);
    expect(backoffDelayMs(10, opts, () => 1)).toBe(1_000);
    expect(backoffDelayMs(10, opts, () => 0)).toBe(500);
  });
});
