import type { ModelManifest } from '@streamscore/models';

/** Session settings every worker applies to every version it loads. */
export interface WorkerSessionSettings {
  /** Ordered, already resolved against what is installed (see execution-providers.ts). */
  readonly executionProviders: readonly string[];
  readonly intraOpNumThreads: number;
}

/** Main thread → worker. Tensors travel in the transfer list, so they are moved, not copied. */
export type WorkerRequest =
  | {
      readonly kind: 'load';
      readonly id: number;
      readonly key: string;
      readonly bytes: Uint8Array;
      readonly manifest: ModelManifest;
    }
  | {
      readonly kind: 'score';
      readonly id: number;
      readonly key: string;
      readonly tensor: Float32Array;
      readonly rows: number;
    }
  | { readonly kind: 'unload'; readonly id: number; readonly key: string };

export type WorkerReply =
  | {
      readonly id: number;
      readonly ok: true;
      /** score: the first output column, one value per row. */
      readonly scores?: Float32Array;
      /** score: time inside ONNX Runtime's run, ms. */
      readonly runMs?: number;
      /** score: time the worker thread was runnable but without a CPU during the run (Linux), ms. */
      readonly runWaitMs?: number;
      /** load: the execution provider the session got. */
      readonly provider?: string;
      /** load: why a provider of the list was skipped. */
      readonly note?: string;
    }
  | { readonly id: number; readonly ok: false; readonly error: string; readonly code?: string };
