/**
 * A request the protocol answers with an error object: 400 for a request the model cannot take,
 * 404 for a model or version this server does not serve, 503 when no version serves (yet, or any
 * more), 501 for what this server does not implement.
 */
export class OipError extends Error {
  override readonly name = 'OipError';

  constructor(
    readonly status: 400 | 404 | 501 | 503,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string): OipError => new OipError(400, message);
