/** Splits a partition's fetched messages into micro-batches of at most `maxRows`, preserving order. */
export function chunk<T>(items: readonly T[], maxRows: number): T[][] {
  if (!Number.isInteger(maxRows) || maxRows < 1)
    throw new RangeError(`maxRows must be a positive integer, got ${maxRows}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += maxRows) out.push(items.slice(i, i + maxRows));
  return out;
}
