import { randomBytes } from 'node:crypto';

/**
 * A name no other test run uses (topics, groups, transactional ids, Redis keys): tests share one
 * broker and must never see each other's data. Only [a-z0-9.-], valid everywhere Kafka takes names.
 */
export function randomName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
