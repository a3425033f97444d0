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

  it('counts CPU time this thread spends computing, to within scheduler ticks', () => {
    const before = threadTimes();
    if (before === undefined) return; // not Linux: nothing to read
    // 60 ms of this process's CPU, however long that takes on a busy machine.
    const start = process.cpuUsage();
    let x = 0;
    for (;;) {
      for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
      const used = process.cpuUsage(start);
      if (used.user + used.system >= 60_000) break;
    }
    const after = threadTimes();
    expect(x).toBeGreaterThan(0);
    expect(after!.cpuMs - before.cpuMs).toBeGreaterThan(30);
    expect(after!.waitMs).toBeGreaterThanOrEqual(before.waitMs);
  });
});
