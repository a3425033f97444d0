import { ProgressBar, renderProgress } from './progress-bar';
import { pacingDelayMs, RatePacer } from './rate-pacer';

describe('renderProgress', () => {
  it('should draw a bar with percentage, counts and rate when the total is known', () => {
    expect(renderProgress({ label: 'p', done: 500, total: 1000, elapsedMs: 2000 })).toBe(
      'p [=============>              ]  50% 500/1,000  250/s  2.0s',
    );
  });

  it('should show a count and rate when the total is unknown', () => {
    expect(renderProgress({ label: 'p', done: 1200, total: undefined, elapsedMs: 1000 })).toBe(
      'p 1,200  1,200/s  1.0s',
    );
  });
});

describe('ProgressBar', () => {
  const recorder = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, stream: { isTTY, write: (text: string) => writes.push(text) > 0 } };
  };

  afterEach(() => {
    jest.useRealTimers();
  });

  it('should write plain lines to a log: at the start and at the end', () => {
    const { writes, stream } = recorder(false);
    const bar = new ProgressBar('x', 2, stream);
    bar.advance(2);
    bar.finish();
    // cli-progress draws the start too (the hand-written bar drew from the first advance, once).
    const lines = writes.join('').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^x \[ +\] {3}0% 0\/2/);
    expect(lines[1]).toMatch(/^x \[=+\] 100% 2\/2/);
    expect(lines[2]).toBe('');
  });

  it('should write a line to a log every 5 s, even when the run does not yield to timers', () => {
    jest.useFakeTimers({ now: 0 });
    const { writes, stream } = recorder(false);
    const bar = new ProgressBar('x', 10, stream);
    jest.advanceTimersByTime(5_000); // the timer's line
    bar.advance(1);
    jest.setSystemTime(10_000); // no timer ran: advance() draws the line that is due
    bar.advance(1);
    bar.finish();
    expect(
      writes
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => /\d+\/\d+/.exec(line)?.[0]),
    ).toEqual(['0/10', '0/10', '2/10', '2/10']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('should redraw in place on a terminal and end its final line', () => {
    const { writes, stream } = recorder(true);
    const bar = new ProgressBar('x', 2, stream);
    bar.advance(1);
    bar.clearLine();
    bar.advance(1);
    bar.finish();
    const text = writes.join('');
    expect(text).toContain('\r\x1b[2K');
    expect(text).not.toContain('\x1b[?7l'); // line wrapping is left alone
    expect(text).toMatch(/x \[=+\] 100% 2\/2 .*\n$/);
  });
});

describe('pacingDelayMs', () => {
  it('should wait until the records sent are due at the rate', () => {
    expect(pacingDelayMs(100, 50, 1000)).toBe(1000);
    expect(pacingDelayMs(100, 50, 2500)).toBe(0);
    expect(pacingDelayMs(100, Number.NaN, 0)).toBe(0);
  });

  it('should size batches to about a tenth of a second of the rate', () => {
    expect(new RatePacer(1000).batchSize(500)).toBe(100);
    expect(new RatePacer(3).batchSize(500)).toBe(1);
    expect(new RatePacer(undefined).batchSize(500)).toBe(500);
  });
});
