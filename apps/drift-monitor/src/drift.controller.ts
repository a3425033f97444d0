import { BadRequestException, Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import type { DriftReport } from '@streamscore/contracts';
import { ApiKeyGuard } from '@streamscore/observability';
import { DriftMonitorService } from './drift-monitor.service';
import { renderDriftPage } from './drift-page';
import { DriftPageGuard } from './drift-page.guard';

const DEFAULT_LIMIT = 20;
const PAGE_WINDOWS = 10;

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  if (!/^[1-9]\d{0,4}$/.test(raw)) throw new BadRequestException('limit must be a positive integer');
  return Number(raw);
}

@Controller('v1/drift')
@UseGuards(ApiKeyGuard)
export class DriftReportsController {
  constructor(private readonly monitor: DriftMonitorService) {}

  /** The latest reports kept in memory, newest first. */
  @Get('reports')
  @Header('Cache-Control', 'no-store')
  reports(@Query('limit') limit?: string, @Query('model') model?: string): { reports: DriftReport[] } {
    return { reports: this.monitor.latestReports(parseLimit(limit), model) };
  }
}

/** The reports as HTML: behind the API key like the reports, unless STREAMSCORE_DRIFT_PAGE_PUBLIC. */
@Controller('drift')
@UseGuards(DriftPageGuard)
export class DriftPageController {
  constructor(private readonly monitor: DriftMonitorService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    // Every kept report: the page picks the judged windows itself (drift-page.ts pageWindows).
    return renderDriftPage(this.monitor.latestReports(Number.MAX_SAFE_INTEGER), new Date(), PAGE_WINDOWS);
  }
}
