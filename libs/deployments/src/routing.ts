import { fnv1a32 } from '@streamscore/models';

export type DeploymentRole = 'ACTIVE' | 'CANARY';

const TWO_TO_32 = 2 ** 32;

/**
 * MurmurHash3's 32-bit finalizer (fmix32, https://github.com/aappleby/smhasher, MurmurHash3.cpp).
 * Plain FNV-1a mixes its last bytes poorly into the high bits that decide the bucket: the keys
 * `event-0` … `event-9999` put 7.9% of them under a 10% share. The finalizer gives every input bit
 * an avalanche onto every output bit (9.6% for the same keys).
 */
function fmix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Deterministic bucket of a routing key in [0, 1): FNV-1a 32 of its UTF-8 bytes, finalized with
 * fmix32, divided by 2^32. The same key lands in the same bucket on every replica and every replay.
 */
export function routingBucket(key: string): number {
  return fmix32(fnv1a32(key)) / TWO_TO_32;
}

/**
 * The canary rule: the role that serves `key` under a canary taking `share` (in [0, 1]) of the
 * traffic is CANARY when the key's bucket is below the share, ACTIVE otherwise. A share of 0 routes
 * nothing to the canary, a share of 1 everything. The same key lands in the same role on every
 * replica with no shared state, and raising the share only moves keys from ACTIVE to CANARY, never
 * back (buckets are fixed).
 */
export function routeByShare(share: number, key: string): DeploymentRole {
  return routingBucket(key) < share ? 'CANARY' : 'ACTIVE';
}
