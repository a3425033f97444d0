import { InvalidArgumentError } from 'commander';
import { DeadLetterCodes, type DeadLetterCode } from '@streamscore/contracts';

/** commander argument parsers: a bad value is one clear line and a non-zero exit. */
export function positiveInt(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError('must be a positive integer');
  return value;
}

export function positiveNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('must be a positive number');
  return value;
}

/** A dead-letter reason code: a misspelt one would otherwise match nothing and look like "none". */
export function deadLetterCode(text: string): DeadLetterCode {
  const code = DeadLetterCodes.find((c) => c === text);
  if (code === undefined)
    throw new InvalidArgumentError(`not a dead-letter code; the codes are ${DeadLetterCodes.join(', ')}`);
  return code;
}
