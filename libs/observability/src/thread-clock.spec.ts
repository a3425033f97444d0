import { parseSchedstat, threadTimes } from './thread-clock';

describe('thread clock', () => {
  it('parses a schedstat line into ms on a CPU and waiting for one', () => {
    expect(parseSchedstat('20244246 297640 7\n')).toEqual({ cpuMs: 20.244246, waitMs: 0.29764 });
  });

  it('refuses what is not a schedstat line', () => {
    expect(parseSchedstat('')).toBeUndefined();
    expect(parseSchedstat('abc def 1')).toBeUndefined();
    expect(parseSchedstat('12')).toBeUndefined();
  });

  it('counts CPU time this thread spends computing', () => {
    const before = threadTimes();
    if (before === undefined) return; // not Linux: nothing to read
    const until = performance.now() + 30;
    let x = 0;
    while (performance.now() < until) x += Math.sqrt(x + 1);
    const after = threadTimes();
    expect(x).toBeGreaterThan(0);
    expect(after!.cpuMs - before.cpuMs).toBeGreaterThan(10);
    expect(after!.waitMs).toBeGreaterThanOrEqual(before.waitMs);
  });
});
