import { RetriableError } from '@streamscore/contracts';
import type { Redis } from 'ioredis';
import { APPLY_SCRIPT, APPLY_SCRIPT_SHA1 } from './apply-script';
import { compileView, type CompiledView } from './compiled-view';
import { toViewRecord, type FeatureRecord } from './feature-record';
import type { FeatureView } from './feature-view';
import { fieldFlags, metaKey, slabKey } from './key-layout';
import { bucketStartOf, slabStartOf } from './time-buckets';

export interface ApplyOptions {
  /**
   * Time before which the caller guarantees every record of this source has been passed in,
   * e.g. the minimum over its assigned partitions of (partition max event time − allowed
   * lateness). When given, a view's watermark never runs ahead of it.
   */
  readonly sourceWatermarkMs?: number;
}

export interface ViewApplyCounts {
  applied: number;
  /** Already materialized (replay); nothing changed. */
  duplicate: number;
  /** Older than the view's max event time − allowedLatenessMs: dropped. */
  late: number;
  /** Not placeable (missing id/time/entity, non-finite value): dropped. */
  invalid: number;
  /** The view's watermark after the batch; null until something was materialized. */
  watermarkMs: number | null;
}

export interface MaterializerOptions {
  readonly keyPrefix?: string;
  /** Records per script call; bounds how long one call blocks Redis (default 500). */
  readonly recordsPerScript?: number;
}

interface ScriptCall {
  readonly view: string;
  readonly keys: string[];
  readonly args: string[];
}

type ExecResult = [Error | null, unknown][];

/** Writes source records into the online store; idempotent per record id. */
export class FeatureMaterializer {
  private readonly bySource = new Map<string, CompiledView[]>();
  private readonly keyPrefix: string;
  private readonly recordsPerScript: number;

  constructor(
    private readonly redis: Redis,
    views: readonly FeatureView[],
    options: MaterializerOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? '';
    this.recordsPerScript = options.recordsPerScript ?? 500;
    for (const view of views) {
      const list = this.bySource.get(view.source) ?? [];
      list.push(compileView(view));
      this.bySource.set(view.source, list);
    }
  }

  /** The sources some view reads; records of other sources need not be passed in. */
  get sources(): string[] {
    return [...this.bySource.keys()];
  }

  /**
   * Applies records of one source to every view of that source in ONE pipelined round trip
   * (one script call per view and chunk). Safe to call again with the same records.
   * Throws RetriableError when Redis fails; the batch can then be retried as a whole.
   */
  async applyRecords(
    source: string,
    records: readonly FeatureRecord[],
    options: ApplyOptions = {},
  ): Promise<Record<string, ViewApplyCounts>> {
    const counts: Record<string, ViewApplyCounts> = {};
    const calls: ScriptCall[] = [];
    for (const compiled of this.bySource.get(source) ?? []) {
      const viewCounts: ViewApplyCounts = {
        applied: 0,
        duplicate: 0,
        late: 0,
        invalid: 0,
        watermarkMs: null,
      };
      counts[compiled.view.name] = viewCounts;
      calls.push(...this.planView(compiled, records, options, viewCounts));
    }
    if (calls.length === 0) return counts;
    const results = await this.run(calls);
    results.forEach((reply, i) => {
      const call = calls[i];
      const target = call === undefined ? undefined : counts[call.view];
      if (target === undefined || !Array.isArray(reply)) return;
      target.applied += Number(reply[0]);
      target.duplicate += Number(reply[1]);
      target.late += Number(reply[2]);
      if (reply[3] !== undefined && reply[3] !== null) target.watermarkMs = Number(reply[3]);
    });
    return counts;
  }

  private planView(
    compiled: CompiledView,
    records: readonly FeatureRecord[],
    options: ApplyOptions,
    counts: ViewApplyCounts,
  ): ScriptCall[] {
    const { view, valueFields } = compiled;
    const header = [
      String(view.allowedLatenessMs),
      String(view.ttlMs),
      options.sourceWatermarkMs === undefined ? '' : String(options.sourceWatermarkMs),
      String(valueFields.length),
    ];
    const flags = fieldFlags(compiled);
    valueFields.forEach((field, i) => header.push(field.name, flags[i] ?? ''));
    const calls: ScriptCall[] = [];
    let call: ScriptCall | undefined;
    let keyIndex = new Map<string, number>();
    let inCall = 0;
    for (const record of records) {
      const parsed = toViewRecord(view, valueFields, record);
      if (parsed === undefined) {
        counts.invalid += 1;
        continue;
      }
      if (call === undefined || inCall === this.recordsPerScript) {
        call = { view: view.name, keys: [metaKey(this.keyPrefix, view.name)], args: [...header] };
        calls.push(call);
        keyIndex = new Map();
        inCall = 0;
      }
      const bucketStart = bucketStartOf(parsed.timeMs, view.bucketMs);
      const slabStart = slabStartOf(bucketStart, view.windowMs);
      const key = slabKey(this.keyPrefix, view.name, slabStart, parsed.entity);
      let index = keyIndex.get(key);
      if (index === undefined) {
        call.keys.push(key);
        index = call.keys.length;
        keyIndex.set(key, index);
      }
      call.args.push(
        String(index),
        parsed.id,
        String(parsed.timeMs),
        String((bucketStart - slabStart) / view.bucketMs),
      );
      for (const value of parsed.values) call.args.push(String(value));
      inCall += 1;
    }
    // No record to apply: one call all the same, so a source watermark that moved (a partition
    // caught up) moves the view's watermark.
    if (calls.length === 0)
      calls.push({ view: view.name, keys: [metaKey(this.keyPrefix, view.name)], args: header });
    return calls;
  }

  private async run(calls: readonly ScriptCall[]): Promise<unknown[]> {
    const replies = await this.exec(calls);
    const missing = replies.flatMap(([error], i) =>
      error?.message.startsWith('NOSCRIPT') === true ? [i] : [],
    );
    if (missing.length > 0) {
      // Script cache empty (restart, SCRIPT FLUSH, failover): nothing ran for these calls.
      await this.guard(this.redis.script('LOAD', APPLY_SCRIPT));
      const retried = await this.exec(missing.map((i) => calls[i] as ScriptCall));
      missing.forEach((callIndex, j) => {
        replies[callIndex] = retried[j] ?? [new Error('missing reply'), null];
      });
    }
    return replies.map(([error, reply]) => {
      if (error !== null)
        throw new RetriableError(`feature materialization failed: ${error.message}`, { cause: error });
      return reply;
    });
  }

  private async exec(calls: readonly ScriptCall[]): Promise<ExecResult> {
    const pipeline = this.redis.pipeline();
    for (const call of calls)
      pipeline.evalsha(APPLY_SCRIPT_SHA1, call.keys.length, ...call.keys, ...call.args);
    const results = await this.guard(pipeline.exec());
    if (results === null) throw new RetriableError('feature materialization: pipeline returned no result');
    return results;
  }

  private async guard<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      throw new RetriableError(`feature materialization failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
