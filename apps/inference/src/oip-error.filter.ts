import { type ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Request, Response } from 'express';
import { type Observable, throwError } from 'rxjs';
import { OipError } from '@streamscore/inference';

/**
 * Every error under /v2 as the specification's error object, `{"error": "…"}`: OipError's status
 * (400, 404, 501, 503), Nest's for its own (401 from the API-key guard, an unknown route, a body
 * that is not JSON), the body parser's for a client error it exposes (413 for a body over the
 * limit), and 500 without internals for anything else. It is global because a body that does not
 * parse fails before any controller; every other path keeps Nest's answer, and errors outside
 * HTTP (the batch handler's, which its own class filter takes first anyway) go on unchanged.
 */
@Catch()
export class OipErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('OpenInference');

  override catch(error: unknown, host: ArgumentsHost): Observable<never> | undefined {
    if (host.getType() !== 'http') return throwError(() => error);
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    if (!/^\/v2(\/|$)/.test(request.path)) {
      super.catch(error, host);
      return undefined;
    }
    const [status, message] = statusOf(error);
    if (status >= 500) this.logger.error(`${request.method} ${request.path} failed: ${describe(error)}`);
    http.getResponse<Response>().status(status).json({ error: message });
    return undefined;
  }
}

function statusOf(error: unknown): [number, string] {
  if (error instanceof OipError) return [error.status, error.message];
  if (error instanceof HttpException) return [error.getStatus(), error.message];
  // http-errors from the body parser: `expose` marks a message meant for the client.
  const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true)
    return [status, describe(error)];
  return [HttpStatus.INTERNAL_SERVER_ERROR, 'internal error'];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
