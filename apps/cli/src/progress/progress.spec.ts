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
  it('should write plain lines to a log and not repeat the final count', () => {
    const lines: string[] = [];
    const bar = new ProgressBar('x', 2, { isTTY: false, write: (text) => lines.push(text) > 0 });
    bar.advance(2);
    bar.finish();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^x \[=+\] 100% 2\/2/);
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
