import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiKeyGuard } from '@streamscore/observability';
import type { DriftMonitorConfig } from './config';
import { DRIFT_CONFIG } from './tokens';

/**
 * GET /drift shows what GET /v1/drift/reports returns, so it takes the same API key (the
 * x-api-key header, when API_KEY is set) unless STREAMSCORE_DRIFT_PAGE_PUBLIC=true opens it,
 * read-only, for a browser on a trusted network. The key is never taken from the URL or a cookie.
 */
@Injectable()
export class DriftPageGuard implements CanActivate {
  private readonly open: boolean;

  constructor(
    @Inject(DRIFT_CONFIG) config: Pick<DriftMonitorConfig, 'STREAMSCORE_DRIFT_PAGE_PUBLIC'>,
    private readonly apiKey: ApiKeyGuard,
  ) {
    this.open = config.STREAMSCORE_DRIFT_PAGE_PUBLIC;
  }

  canActivate(context: ExecutionContext): boolean {
    return this.open || this.apiKey.canActivate(context);
  }
}
