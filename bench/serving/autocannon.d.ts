/**
 * The part of autocannon 8's programmatic API the serving bench uses (the package ships no types;
 * read from its lib/run.js and lib/aggregateResult.js).
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      readonly url: string;
      readonly method?: 'GET' | 'POST';
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string | Buffer;
      readonly connections?: number;
      readonly pipelining?: number;
      /** Seconds; ignored when `amount` is given. */
      readonly duration?: number;
      /** Responses in all, spread evenly over the connections; the run ends when each got its share. */
      readonly amount?: number;
      /** Seconds a request may take before it counts as a timeout (an error). */
      readonly timeout?: number;
    }

    interface Result {
      readonly errors: number;
      readonly timeouts: number;
      readonly mismatches: number;
      readonly non2xx: number;
      readonly resets: number;
      readonly '2xx': number;
      readonly duration: number;
      readonly requests: { readonly sent: number };
    }

    interface Instance extends EventEmitter, PromiseLike<Result> {
      /** Each response: status code, bytes and its time in ms (fractional, from process.hrtime). */
      on(
        event: 'response',
        listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
      ): this;
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
