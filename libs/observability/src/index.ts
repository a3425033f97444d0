export { API_KEY, ApiKeyGuard, API_KEY_HEADER } from './api-key.guard';
export { HealthController } from './health.controller';
export {
  HealthRegistry,
  describeError,
  withTimeout,
  type ReadinessCheck,
  type ReadinessResult,
} from './health-registry';
export { createMetricsRegistry, METRICS_REGISTRY, MetricsController } from './metrics';
export { ObservabilityModule, type ObservabilityOptions } from './observability.module';
export { main, runService, type ServiceDefinition } from './run-service';
export { parseSchedstat, threadTimes, type ThreadTimes } from './thread-clock';
