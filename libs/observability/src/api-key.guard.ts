import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

export const API_KEY_HEADER = 'x-api-key';
/** Injection token of the configured API key (undefined: endpoints are open). */
export const API_KEY = Symbol('API_KEY');

/**
 * Guards data endpoints when an API key is configured. Both sides are hashed first so the
 * comparison is constant-time whatever the lengths; the key itself is never logged.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(API_KEY) apiKey: string | undefined) {
    this.expected = apiKey ? digest(apiKey) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers[API_KEY_HEADER];
    const given = Array.isArray(header) ? header[0] : header;
    if (given === undefined || !timingSafeEqual(digest(given), this.expected)) {
      throw new UnauthorizedException(`missing or wrong ${API_KEY_HEADER} header`);
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
