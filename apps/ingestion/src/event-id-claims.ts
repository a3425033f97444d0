import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RetriableError } from '@streamscore/contracts';

/**
 * Who holds each event id of a deduplicated stream: one Redis key per id, whose value is the input
 * position (`partition:offset`) of the record that was accepted with it, expiring after the
 * stream's `deduplicateWithinMs`.
 *
 * Why a position and not a flag: the gate's outputs and its consumer offsets commit in one Kafka
 * transaction, but the claim is written to Redis before that commit. When the transaction aborts
 * (kill -9, fencing, a retry) the same records come back at the same positions and find their own
 * claims, so a replay is never its own duplicate; a different record with the id — a client's
 * retry, a copy on another partition — finds another position and is a duplicate. Claims are per
 * input topic, so nothing is shared between pipelines with different topic prefixes.
 */
export interface ClaimRequest {
  readonly id: string;
  /** This record's input position, `partition:offset`. */
  readonly position: string;
  /**
   * The position whose claim this record may take over: a re-sent dead letter of a record that
   * was accepted (its `streamscore-event-claim` header) replaces that first attempt, once.
   */
  readonly replaces?: string | undefined;
}

/**
 * For each id in order: the claim's position after this call. Unclaimed, held by this very
 * position, or held by the position the request replaces → the request's position (accepted);
 * anything else → the holder's (a duplicate). Earlier ids of the same call count, so a second copy
 * within one micro-batch is a duplicate too. Also returns how many requests found their own claim
 * (records replayed after an aborted transaction). Atomic per call: Redis runs a script alone.
 */
const CLAIM_SCRIPT = `
local horizon = ARGV[1]
local holders = {}
local replayed = 0
for i, key in ipairs(KEYS) do
  local position = ARGV[2 * i]
  local replaces = ARGV[2 * i + 1]
  local holder = redis.call('GET', key)
  if holder == position then
    replayed = replayed + 1
  elseif holder == false or (replaces ~= '' and holder == replaces) then
    redis.call('SET', key, position, 'PX', horizon)
    holder = position
  end
  holders[i] = holder
end
return {holders, replayed}
`;
const CLAIM_SCRIPT_SHA1 = createHash('sha1').update(CLAIM_SCRIPT).digest('hex');

export interface ClaimAnswer {
  /** The holder of each request's id, in order: its own position when accepted. */
  readonly holders: readonly string[];
  /** Requests that found their own claim: replays of records whose transaction did not commit. */
  readonly replayed: number;
}

export class EventIdClaims {
  constructor(
    private readonly redis: Redis,
    /** REDIS_KEY_PREFIX: the claims live beside the feature store's keys. */
    private readonly keyPrefix: string,
    private readonly horizonMs: number,
  ) {}

  /** Claims each request's id (see CLAIM_SCRIPT); throws RetriableError when Redis fails. */
  async claim(inputTopic: string, requests: readonly ClaimRequest[]): Promise<ClaimAnswer> {
    if (requests.length === 0) return { holders: [], replayed: 0 };
    const keys = requests.map((r) => this.key(inputTopic, r.id));
    const args = [String(this.horizonMs), ...requests.flatMap((r) => [r.position, r.replaces ?? ''])];
    try {
      const [holders, replayed] = (await this.run(keys, args)) as [string[], number];
      return { holders, replayed };
    } catch (error) {
      throw new RetriableError(`event id claims: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The Redis key of one id's claim (the one place that names it). */
  key(inputTopic: string, id: string): string {
    return `${this.keyPrefix}id:${inputTopic}:${id}`;
  }

  private async run(keys: readonly string[], args: readonly string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(CLAIM_SCRIPT_SHA1, keys.length, ...keys, ...args);
    } catch (error) {
      // Script cache empty (restart, SCRIPT FLUSH, failover): nothing ran; EVAL loads and runs it.
      if (!(error as Error).message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(CLAIM_SCRIPT, keys.length, ...keys, ...args);
    }
  }
}
