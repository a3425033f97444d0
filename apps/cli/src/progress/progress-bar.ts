export interface ProgressState {
  readonly label: string;
  readonly done: number;
  /** Unknown for stdin. */
  readonly total: number | undefined;
  readonly elapsedMs: number;
}

const BAR_WIDTH = 28;

/** One progress line: `label [=====>      ]  42% 4,200/10,000  1,234/s  3.4s`. */
export function renderProgress(state: ProgressState): string {
  const rate = state.elapsedMs > 0 ? Math.round((state.done * 1000) / state.elapsedMs) : 0;
  const seconds = `${(state.elapsedMs / 1000).toFixed(1)}s`;
  const count = (n: number): string => n.toLocaleString('en-US');
  if (state.total === undefined || state.total <= 0) {
    return `${state.label} ${count(state.done)}  ${count(rate)}/s  ${seconds}`;
  }
  const share = Math.min(1, state.done / state.total);
  const filled = Math.round(share * BAR_WIDTH);
  const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (share >= 1 ? '=' : '>') : '');
  const percent = `${Math.floor(share * 100)}%`.padStart(4);
  return `${state.label} [${bar.padEnd(BAR_WIDTH)}] ${percent} ${count(state.done)}/${count(state.total)}  ${count(rate)}/s  ${seconds}`;
}

interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

/**
 * A progress bar on stderr: redrawn in place at most every 100 ms on a terminal, a plain line every
 * 5 s otherwise (logs stay readable), and always a final line.
 */
export class ProgressBar {
  private done = 0;
  private drawnDone = -1;
  private lastDrawMs = 0;
  private readonly startMs = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly stream: ProgressStream = process.stderr,
  ) {}

  advance(count: number): void {
    this.done += count;
    const now = Date.now();
    const interval = this.stream.isTTY ? 100 : 5_000;
    if (now - this.lastDrawMs >= interval) {
      this.lastDrawMs = now;
      this.draw(false);
    }
  }

  /** Clears the bar's line on a terminal so that a message can be printed; the next draw restores it. */
  clearLine(): void {
    if (this.stream.isTTY && this.drawnDone >= 0) this.stream.write('\r\x1b[2K');
  }

  finish(): void {
    // A plain log already holding the final count needs no second copy of it.
    if (!this.stream.isTTY && this.drawnDone === this.done) return;
    this.draw(true);
  }

  private draw(final: boolean): void {
    this.drawnDone = this.done;
    const line = renderProgress({
      label: this.label,
      done: this.done,
      total: this.total,
      elapsedMs: Date.now() - this.startMs,
    });
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else this.stream.write(`${line}\n`);
  }
}
