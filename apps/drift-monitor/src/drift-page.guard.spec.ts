import 'reflect-metadata';
import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { API_KEY, API_KEY_HEADER, ApiKeyGuard } from '@streamscore/observability';
import { DriftMonitorService } from './drift-monitor.service';
import { DriftPageController, DriftReportsController } from './drift.controller';
import { DRIFT_CONFIG } from './tokens';

const KEY = 'drift-page-Key-7c1e';

@Module({})
class PageTestModule {
  static with(apiKey: string | undefined, pagePublic: boolean): DynamicModule {
    return {
      module: PageTestModule,
      controllers: [DriftReportsController, DriftPageController],
      providers: [
        { provide: DriftMonitorService, useValue: { latestReports: () => [] } },
        { provide: API_KEY, useValue: apiKey },
        ApiKeyGuard,
        { provide: DRIFT_CONFIG, useValue: { STREAMSCORE_DRIFT_PAGE_PUBLIC: pagePublic } },
      ],
    };
  }
}

/** Status of GET /drift and GET /v1/drift/reports, without and with the key. */
async function statuses(apiKey: string | undefined, pagePublic: boolean): Promise<Record<string, number>> {
  const app: INestApplication = await NestFactory.create(PageTestModule.with(apiKey, pagePublic), {
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  try {
    const url = await app.getUrl();
    const get = async (path: string, key?: string): Promise<number> =>
      (await fetch(`${url}${path}`, key === undefined ? {} : { headers: { [API_KEY_HEADER]: key } })).status;
    return {
      page: await get('/drift'),
      pageWrongKey: await get('/drift', `${KEY}x`),
      pageWithKey: await get('/drift', KEY),
      reports: await get('/v1/drift/reports'),
      reportsWithKey: await get('/v1/drift/reports', KEY),
    };
  } finally {
    await app.close();
  }
}

describe('GET /drift behind the API key', () => {
  it('should need the key like /v1/drift/reports by default', async () => {
    expect(await statuses(KEY, false)).toEqual({
      page: 401,
      pageWrongKey: 401,
      pageWithKey: 200,
      reports: 401,
      reportsWithKey: 200,
    });
  });

  it('should serve the page without the key when STREAMSCORE_DRIFT_PAGE_PUBLIC, and only the page', async () => {
    expect(await statuses(KEY, true)).toEqual({
      page: 200,
      pageWrongKey: 200,
      pageWithKey: 200,
      reports: 401,
      reportsWithKey: 200,
    });
  });

  it('should be open, like every guarded endpoint, when no API_KEY is set', async () => {
    expect(await statuses(undefined, false)).toEqual({
      page: 200,
      pageWrongKey: 200,
      pageWithKey: 200,
      reports: 200,
      reportsWithKey: 200,
    });
  });
});
