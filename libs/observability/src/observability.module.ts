import { type DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import { API_KEY, ApiKeyGuard } from './api-key.guard';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health-registry';
import { METRICS_REGISTRY, MetricsController } from './metrics';

export interface ObservabilityOptions {
  readonly service: string;
  readonly registry: Registry;
  readonly logLevel: string;
  /** Required in the x-api-key header of guarded endpoints when set; a required key so no service forgets it. */
  readonly apiKey: string | undefined;
}

/** /health/live, /health/ready, /metrics and structured (pino) logs for one service. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.logLevel,
            name: options.service,
            // Health probes and scrapes would drown the log.
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
            redact: ['req.headers["x-api-key"]', 'req.headers.authorization', 'req.headers.cookie'],
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        HealthRegistry,
        { provide: METRICS_REGISTRY, useValue: options.registry },
        { provide: API_KEY, useValue: options.apiKey },
        ApiKeyGuard,
      ],
      exports: [HealthRegistry, METRICS_REGISTRY, API_KEY, ApiKeyGuard],
    };
  }
}
