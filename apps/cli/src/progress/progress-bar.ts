import { SingleBar } from 'cli-progress';

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

/** How often a log (stderr not a terminal) gets a progress line. */
const LOG_INTERVAL_MS = 5_000;

/**
 * A progress bar on stderr, drawn by cli-progress with renderProgress's line: redrawn in place at
 * most every 100 ms on a terminal; otherwise a plain line when it starts, every 5 s and at the end
 * (cli-progress's noTTYOutput), so that CI logs show a long run's progress and stay readable.
 */
export class ProgressBar {
  private done = 0;
  private lastDrawMs = 0;
  private finished = false;
  private readonly bar: SingleBar;
  private readonly tty: boolean;

  constructor(
    label: string,
    total: number | undefined,
    private readonly stream: ProgressStream = process.stderr,
  ) {
    this.tty = stream.isTTY === true;
    const startMs = Date.now();
    this.bar = new SingleBar({
      // cli-progress only calls write() (and reads isTTY and columns) on its stream.
      stream: stream as NodeJS.WritableStream,
      format: (_options, params) =>
        renderProgress({ label, done: params.value, total, elapsedMs: Date.now() - startMs }),
      fps: 10,
      // Every frame, even unchanged: a line cleared for a message (clearLine) comes back at the next.
      forceRedraw: true,
      noTTYOutput: true,
      notTTYSchedule: LOG_INTERVAL_MS,
      // Cut to the terminal's width rather than switch its line wrapping off (and leave it off if
      // the command is interrupted).
      linewrap: true,
      // In a log, stop() would add an empty line after the final one.
      clearOnComplete: !this.tty,
    });
    this.bar.on('redraw-post', () => {
      this.lastDrawMs = Date.now();
    });
    this.bar.start(total ?? 0, 0);
  }

  advance(count: number): void {
    this.done += count;
    this.bar.update(this.done);
    // cli-progress writes log lines from a timer, which a run that seldom yields to the event loop
    // holds back: draw here too when one is due.
    if (!this.tty && Date.now() - this.lastDrawMs >= LOG_INTERVAL_MS) this.bar.render();
  }

  /** Clears the bar's line on a terminal so that a message can be printed; the next frame restores it. */
  clearLine(): void {
    if (this.tty && !this.finished) this.stream.write('\r\x1b[2K');
  }

  /** Draws the final line and stops the bar's timer (which would otherwise keep the process alive). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    // Before its final newline, stop() puts the cursor back where start() saved it (ESC 7 / ESC 8);
    // messages printed since (clearLine) have moved the bar down, so save its current line instead.
    if (this.tty) this.stream.write('\x1b7');
    this.bar.stop();
  }
}
