import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { FeatureCacheStats } from '@streamscore/features';

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Counters are incremented once a batch is committed, so they equal what landed on the topics.
 * Stage histograms carry the model version (the active one for stages shared by the batch).
 */
export class InferenceMetrics {
  readonly rowsScored: Counter<'model' | 'version' | 'role'>;
  readonly batchRows: Histogram;
  readonly stageSeconds: Histogram<'stage' | 'model' | 'version'>;
  readonly ortWaitSeconds: Counter;
  readonly staleFeatures: Counter;
  readonly deadLettered: Counter<'code'>;
  readonly versionsRefused: Counter<'model' | 'version' | 'code'>;
  readonly serving: Gauge<'model' | 'version' | 'role'>;
  readonly versionSwitches: Counter<'model' | 'from' | 'to'>;
  readonly eventLoopDelay: Gauge<'quantile'>;
  readonly featureCacheBuckets: Gauge<'result'>;
  readonly oipBatchRequests: Histogram<'model' | 'version'>;
  private readonly loopDelay: IntervalHistogram;

  constructor(
    registry: Registry,
    featureCache: () => FeatureCacheStats = () => ({ hits: 0, misses: 0, slabs: 0 }),
  ) {
    const registers = [registry];
    this.rowsScored = new Counter({
      name: 'inference_rows_scored_total',
      help: 'predictions written, per model version and role (ACTIVE, CANARY, SHADOW)',
      labelNames: ['model', 'version', 'role'],
      registers,
    });
    this.batchRows = new Histogram({
      name: 'inference_batch_rows',
      help: 'input records per micro-batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers,
    });
    this.stageSeconds = new Histogram({
      name: 'inference_stage_seconds',
      help: 'per micro-batch: queue (oldest record to batch start), features (the read), feature_wait (waiting after it for complete features), inference (ONNX Runtime run), scoring (worker round trip), produce',
      labelNames: ['stage', 'model', 'version'],
      buckets: SECONDS,
      registers,
    });
    this.ortWaitSeconds = new Counter({
      name: 'inference_ort_wait_seconds_total',
      help: "of the stage inference time, the scoring threads' time runnable but without a CPU (Linux only): how much of a slow ONNX Runtime run was the machine's other work",
      registers,
    });
    this.staleFeatures = new Counter({
      name: 'inference_stale_features_total',
      help: 'predictions scored with a feature watermark behind the event time',
      registers,
    });
    this.deadLettered = new Counter({
      name: 'inference_dead_lettered_total',
      help: 'records written to predictions.dead-letter, by reason code',
      labelNames: ['code'],
      registers,
    });
    this.versionsRefused = new Counter({
      name: 'inference_model_versions_refused_total',
      help: 'model versions that failed to load, verify or score the warm-up batch',
      labelNames: ['model', 'version', 'code'],
      registers,
    });
    this.serving = new Gauge({
      name: 'inference_serving',
      help: '1 for each model version serving, by role',
      labelNames: ['model', 'version', 'role'],
      registers,
    });
    this.versionSwitches = new Counter({
      name: 'inference_version_switches_total',
      help: 'input partitions whose active version changed, counted at the first micro-batch committed with the new version',
      labelNames: ['model', 'from', 'to'],
      registers,
    });
    this.oipBatchRequests = new Histogram({
      name: 'inference_oip_batch_requests',
      help: 'Open Inference Protocol (/v2) infer requests per ONNX Runtime run, per model version: its count is the runs, its sum the requests',
      labelNames: ['model', 'version'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000],
      registers,
    });
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
    this.loopDelay.enable();
    const loopDelay = this.loopDelay;
    this.eventLoopDelay = new Gauge({
      name: 'inference_event_loop_delay_seconds',
      help: 'event-loop delay since the previous scrape (perf_hooks.monitorEventLoopDelay)',
      labelNames: ['quantile'],
      registers,
      collect() {
        this.set({ quantile: '0.5' }, loopDelay.percentile(50) / 1e9);
        this.set({ quantile: '0.99' }, loopDelay.percentile(99) / 1e9);
        this.set({ quantile: '1' }, loopDelay.max / 1e9);
        loopDelay.reset();
      },
    });
    this.featureCacheBuckets = new Gauge({
      name: 'inference_feature_cache_buckets',
      help: 'feature bucket reads served by the final-bucket cache (hit) or sent to Redis (miss), since start; slabs held',
      labelNames: ['result'],
      registers,
      collect() {
        const stats = featureCache();
        this.set({ result: 'hit' }, stats.hits);
        this.set({ result: 'miss' }, stats.misses);
        this.set({ result: 'slabs' }, stats.slabs);
      },
    });
  }

  close(): void {
    this.loopDelay.disable();
  }
}
