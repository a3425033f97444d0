import type { DeadLetterCode } from '../errors';

/**
 * Thrown inside avsc read callbacks (which cannot return a value) and caught by the decoder, which
 * turns it into a failed DecodeResult. Never escapes the decoder.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DeadLetterCode,
    message: string,
    readonly fields: readonly string[] = [],
  ) {
    super(message);
  }
}
