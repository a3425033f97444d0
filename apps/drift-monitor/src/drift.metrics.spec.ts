import type { Admin } from 'kafkajs';
import { Registry } from 'prom-client';
import { HealthRegistry } from '@streamscore/observability';
import { TransportMonitor } from '@streamscore/platform';
import { DRIFT_METRICS_PREFIX, DriftMetrics } from './drift.metrics';

describe('DriftMetrics', () => {
  it("should share the registry with the transport's metrics without a name collision", async () => {
    const registry = new Registry();
    new DriftMetrics(registry);
    // prom-client throws on a second metric of the same name.
    new TransportMonitor({
      registry,
      metricsPrefix: DRIFT_METRICS_PREFIX,
      admin: {} as Admin,
      groupId: 'drift-unit',
      topics: ['predictions'],
      health: new HealthRegistry(),
    });
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['drift_consumer_lag', 'drift_retries_total', 'drift_psi']));
    expect(new Set(names).size).toBe(names.length);
  });
});
