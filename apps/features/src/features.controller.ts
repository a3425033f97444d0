import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import { isRetriable } from '@streamscore/contracts';
import type { FeatureQuery, FeatureReading } from '@streamscore/features';
import { ApiKeyGuard } from '@streamscore/observability';
import type { FeaturesConfig } from './config';
import type { FeatureDeployment } from './deployment';
import { parseBatch, parseQuery, QueryError } from './feature-query';
import type { ServiceFeatureStore } from './feature-store.provider';
import { FeaturesMetrics } from './features.metrics';
import { DEPLOYMENT, FEATURE_STORE, FEATURES_CONFIG } from './tokens';

export interface FeatureAnswer extends FeatureReading {
  readonly view: string;
  readonly entity: string;
  readonly atMs: number;
}

/**
 * Point-in-time reads for clients without the library: the same FeatureReader inference uses,
 * one Redis round trip per request. Bad input is 400 (404 for an unknown view in the path);
 * a Redis failure or a read past its deadline is 503 so the client may retry.
 */
@Controller('v1/features')
@UseGuards(ApiKeyGuard)
export class FeaturesController {
  private readonly viewNames: ReadonlySet<string>;

  constructor(
    @Inject(FEATURE_STORE) private readonly store: ServiceFeatureStore,
    @Inject(FEATURES_CONFIG) private readonly config: FeaturesConfig,
    @Inject(DEPLOYMENT) deployment: FeatureDeployment,
    private readonly metrics: FeaturesMetrics,
  ) {
    this.viewNames = new Set(deployment.views.map((view) => view.name));
  }

  @Get(':view/:entity')
  async one(
    @Param('view') view: string,
    @Param('entity') entity: string,
    @Query('at') at: unknown,
  ): Promise<FeatureAnswer> {
    if (!this.viewNames.has(view))
      throw new NotFoundException(
        `unknown feature view ${JSON.stringify(view)}; known: ${[...this.viewNames].join(', ')}`,
      );
    const query = userInput(() => parseQuery({ view, entity, at: single(at) }, this.viewNames, Date.now()));
    const [answer] = await this.read([query], 'single');
    if (answer === undefined) throw new Error('the reader returned no reading');
    return answer;
  }

  @Post('batch')
  @HttpCode(HttpStatus.OK)
  async batch(@Body() body: unknown): Promise<{ results: FeatureAnswer[] }> {
    const queries = userInput(() =>
      parseBatch(body, this.viewNames, this.config.STREAMSCORE_HTTP_MAX_QUERIES, Date.now()),
    );
    return { results: await this.read(queries, 'batch') };
  }

  private async read(queries: readonly FeatureQuery[], endpoint: string): Promise<FeatureAnswer[]> {
    const stop = this.metrics.readSeconds.startTimer({ endpoint });
    try {
      const readings = await this.store.reader.readBatch(queries, {
        deadlineMs: this.config.STREAMSCORE_READ_DEADLINE_MS,
      });
      return readings.map((reading, i) => {
        const query = queries[i] as FeatureQuery;
        return { view: query.view, entity: query.entity, atMs: query.atMs, ...reading };
      });
    } catch (error) {
      if (isRetriable(error)) throw new ServiceUnavailableException((error as Error).message);
      throw error;
    } finally {
      stop();
    }
  }
}

function userInput<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof QueryError) throw new BadRequestException(error.message);
    throw error;
  }
}

/** `?at=1&at=2` arrives as an array: ambiguous, so refused rather than picking one. */
function single(value: unknown): unknown {
  if (Array.isArray(value)) throw new BadRequestException('at: give it once');
  return value;
}
