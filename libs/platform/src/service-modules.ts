import type { DynamicModule } from '@nestjs/common';
import { createMetricsRegistry, ObservabilityModule } from '@streamscore/observability';
import { PlatformModule, type PlatformOptions } from './platform.module';

/**
 * What every service imports: health, metrics, logs and the API-key guard (ObservabilityModule),
 * then Kafka, Redis and the checked topics (PlatformModule), all from the shared settings.
 */
export function serviceModules(options: PlatformOptions): DynamicModule[] {
  return [
    ObservabilityModule.forRoot({
      service: options.service,
      registry: createMetricsRegistry(options.service),
      logLevel: options.env.LOG_LEVEL,
      apiKey: options.env.API_KEY,
    }),
    PlatformModule.forRoot(options),
  ];
}
