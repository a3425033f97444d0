import { RetriableError } from '@streamscore/contracts';
import type { Redis } from 'ioredis';
import { compileView, type CompiledView } from './compiled-view';
import type { FeatureView } from './feature-view';
import { FinalBucketCache } from './final-buckets';
import { metaKey, WATERMARK_FIELD } from './key-layout';
import { decodeReads, planReads, type FeatureQuery, type FeatureReading } from './read-plan';

export interface ReadOptions {
  /** Time budget for the whole batch, in ms from the call; past it a RetriableError (DEADLINE) is thrown. */
  readonly deadlineMs: number;
}

export interface FeatureReaderOptions {
  readonly keyPrefix?: string;
  /**
   * Remember buckets the watermark has passed (they cannot change) for up to this many slab
   * hashes, so that each is read from Redis once. Off by default.
   */
  readonly cacheSlabs?: number;
}

export interface FeatureCacheStats {
  /** Bucket reads served from memory / sent to Redis. */
  readonly hits: number;
  readonly misses: number;
  readonly slabs: number;
}

/** Reads point-in-time feature values for inference: one Redis round trip per batch. */
export class FeatureReader {
  private readonly compiledByName: ReadonlyMap<string, CompiledView>;
  private readonly keyPrefix: string;
  private readonly cache: FinalBucketCache | undefined;

  constructor(
    private readonly redis: Redis,
    views: readonly FeatureView[],
    options: FeatureReaderOptions = {},
  ) {
    this.compiledByName = new Map(views.map((view) => [view.name, compileView(view)]));
    this.keyPrefix = options.keyPrefix ?? '';
    this.cache = options.cacheSlabs ? new FinalBucketCache(options.cacheSlabs) : undefined;
  }

  /** Counters of the final-bucket cache; zeros when it is off. */
  cacheStats(): FeatureCacheStats {
    const cache = this.cache;
    return cache
      ? { hits: cache.hits, misses: cache.misses, slabs: cache.size }
      : { hits: 0, misses: 0, slabs: 0 };
  }

  /**
   * Values for each query, in order. Throws TypeError for an unknown view (a bug), and a
   * RetriableError when Redis fails (UNAVAILABLE) or the deadline passes (DEADLINE).
   */
  async readBatch(queries: readonly FeatureQuery[], options: ReadOptions): Promise<FeatureReading[]> {
    if (queries.length === 0) return [];
    const plan = planReads(this.compiledByName, this.keyPrefix, queries, this.cache);
    const pipeline = this.redis.pipeline();
    for (const command of plan.commands) pipeline.hmget(command.key, ...command.fields);
    const results = await withDeadline(pipeline.exec(), options.deadlineMs);
    const replies = results.map(([error, reply]) => {
      if (error !== null) throw new RetriableError(`feature read failed: ${error.message}`, { cause: error });
      return reply as (string | null)[];
    });
    return decodeReads(plan, queries, replies, this.cache);
  }

  /** Watermark per view (null when nothing was materialized or the meta key expired). */
  async readWatermarks(options: ReadOptions): Promise<Record<string, number | null>> {
    const names = [...this.compiledByName.keys()];
    const pipeline = this.redis.pipeline();
    for (const name of names) pipeline.hget(metaKey(this.keyPrefix, name), WATERMARK_FIELD);
    const results = await withDeadline(pipeline.exec(), options.deadlineMs);
    const watermarks: Record<string, number | null> = {};
    names.forEach((name, i) => {
      const [error, reply] = results[i] ?? [null, null];
      if (error !== null)
        throw new RetriableError(`watermark read failed: ${error.message}`, { cause: error });
      watermarks[name] = typeof reply === 'string' ? Number(reply) : null;
    });
    return watermarks;
  }
}

type ExecResult = [Error | null, unknown][] | null;

async function withDeadline(
  exec: Promise<ExecResult>,
  deadlineMs: number,
): Promise<[Error | null, unknown][]> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new RetriableError(`feature read exceeded its ${deadlineMs} ms deadline`, { code: 'DEADLINE' }));
    }, deadlineMs);
  });
  // The pipeline may still settle after the deadline; its outcome is then irrelevant.
  exec.catch(() => undefined);
  try {
    const results = await Promise.race([exec, expired]);
    if (results === null) throw new RetriableError('feature read: pipeline returned no result');
    return results;
  } catch (error) {
    if (error instanceof RetriableError) throw error;
    throw new RetriableError(`feature read failed: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
