import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FeedChunk, FeedRecord } from './flight-feed';

/**
 * The main thread's side of the flight feed: records from chunks that flight-feed.worker.ts reads
 * and encodes, always one chunk requested ahead, so `take` waits only if the worker falls behind.
 * The worker runs the TypeScript source through tsx's CommonJS hook (the soak itself runs in tsx).
 */
export class FeedReader {
  private readonly worker: Worker;
  private current: FeedChunk | undefined;
  private next = 0;
  private ahead: Promise<FeedChunk> | undefined;
  private passes = 0;

  constructor() {
    const entry = join(__dirname, 'flight-feed.worker.ts');
    this.worker = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(entry)});`, {
      eval: true,
    });
  }

  /** Passes over the data begun so far (1 = the first; a pass is 3,000,000 departures). */
  get pass(): number {
    return this.passes;
  }

  /** Has the first chunk at hand, so a paced send starts with data. */
  async prime(): Promise<void> {
    if (this.current === undefined) await this.advance();
  }

  async take(): Promise<FeedRecord> {
    while (this.current === undefined || this.next >= this.current.ends.length) await this.advance();
    const chunk = this.current;
    const i = this.next++;
    const start = i === 0 ? 0 : (chunk.ends[i - 1] ?? 0);
    const end = chunk.ends[i] ?? start;
    return {
      topic: chunk.isEvent[i] === 1 ? 'events' : 'outcomes',
      key: chunk.keys[i] ?? '',
      eventId: chunk.eventIds[i] ?? '',
      value: Buffer.from(chunk.values.buffer, chunk.values.byteOffset + start, end - start),
    };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private async advance(): Promise<void> {
    this.current = await (this.ahead ?? this.request());
    this.passes = Math.max(this.passes, this.current.pass + 1);
    this.next = 0;
    this.ahead = this.request();
    // Awaited by the next advance; until then a failure must not count as unhandled.
    this.ahead.catch(() => undefined);
  }

  private request(): Promise<FeedChunk> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(error);
      };
      this.worker.once('error', onError);
      this.worker.once('message', (message: { chunk?: FeedChunk; error?: string }) => {
        this.worker.off('error', onError);
        if (message.chunk) resolve(message.chunk);
        else reject(new Error(`flight feed worker: ${message.error ?? 'no chunk'}`));
      });
      this.worker.postMessage('next');
    });
  }
}
