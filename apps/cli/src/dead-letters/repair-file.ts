import { offsetKey } from './dead-letter-row';

/**
 * A repair file: JSON lines `{"partition": 0, "offset": "12", "record": {…}}`, each naming a dead
 * letter (as `dlq list` prints it; other keys are ignored) and the record that replaces its payload.
 */
export function parseRepairs(text: string): Map<string, Record<string, unknown>> {
  const repairs = new Map<string, Record<string, unknown>>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `repair line ${index + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: invalid JSON: ${(error as Error).message}`);
    }
    const entry = parsed as { partition?: unknown; offset?: unknown; record?: unknown } | null;
    const partition = entry?.partition;
    const offset = entry?.offset;
    const record = entry?.record;
    if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0) {
      throw new Error(`${where}: partition must be a non-negative integer`);
    }
    if ((typeof offset !== 'string' && typeof offset !== 'number') || !/^\d+$/.test(String(offset))) {
      throw new Error(`${where}: offset must be a non-negative integer (number or string)`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new Error(`${where}: record must be a JSON object`);
    }
    const key = offsetKey(partition, BigInt(offset).toString());
    if (repairs.has(key)) throw new Error(`${where}: ${key} is repaired twice`);
    repairs.set(key, record as Record<string, unknown>);
  });
  return repairs;
}
