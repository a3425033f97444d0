import { type DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health-registry';
import { METRICS_REGISTRY, MetricsController } from './metrics';

export interface ObservabilityOptions {
  readonly service: string;
  readonly registry: Registry;
  readonly logLevel: string;
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
      providers: [HealthRegistry, { provide: METRICS_REGISTRY, useValue: options.registry }],
      exports: [HealthRegistry, METRICS_REGISTRY],
    };
  }
}
