/**
 * Steady pacing of the replay: a tick every TICK_MS sends whatever is due, so records leave at
 * most a tick apart and the rate holds within a tick (flushing every N records made latency a
 * function of N / rate). Pure: the runner does the sending and the sleeping.
 */
export const TICK_MS = 10;
/** Most records in one send (the catch-up after a slow send, or a run with no rate limit). */
export const MAX_SEND = 500;

/** Departures due `elapsedMs` after the start at `rate` per second (every one when rate ≤ 0). */
export function departuresDue(elapsedMs: number, rate: number, total: number): number {
  if (rate <= 0) return total;
  return Math.min(total, Math.floor((Math.max(0, elapsedMs) / 1000) * rate));
}

/**
 * The end (exclusive) of the next send from `from`: records up to the first departure beyond the
 * `due`-th, so outcomes go out as soon as the departures before them have, in plan order, at
 * most `maxSend` records. `sent` is the departures before `from`.
 */
export function nextSendEnd(
  isDeparture: readonly boolean[],
  from: number,
  sent: number,
  due: number,
  maxSend = MAX_SEND,
): { end: number; departures: number } {
  let end = from;
  let departures = sent;
  while (end < isDeparture.length && end - from < maxSend) {
    if (isDeparture[end]) {
      if (departures >= due) break;
      departures++;
    }
    end++;
  }
  return { end, departures: departures - sent };
}

/** When the tick after `nowMs` starts, on the grid of ticks from `startMs`. */
export function nextTickAt(startMs: number, nowMs: number, tickMs = TICK_MS): number {
  return startMs + (Math.floor((nowMs - startMs) / tickMs) + 1) * tickMs;
}
