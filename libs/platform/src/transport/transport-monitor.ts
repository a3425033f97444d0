import type { Admin } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { consumerGroupLag, type PartitionPosition } from '@streamscore/kafka';
import type { HealthRegistry } from '@streamscore/observability';

const LAG_INTERVAL_MS = 5_000;

export interface TransportMonitorOptions {
  readonly registry: Registry;
  /** The service's metric prefix: `<prefix>_consumer_lag`, `<prefix>_retries_total`. */
  readonly metricsPrefix: string;
  readonly admin: Admin;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly health: HealthRegistry;
  readonly lagIntervalMs?: number;
}

/**
 * What every service's transport reports, in one place: consumer lag per input topic (polled),
 * retries per topic, and the `consumer` readiness check, which fails once the transport stopped
 * on a bug.
 */
export class TransportMonitor {
  private readonly retries: Counter<'topic'>;
  private readonly lag: Gauge<'topic'>;
  /** `topic:partition` → next offset reached with nothing to commit (BatchHandler.skipped). */
  private readonly positions = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private failed: string | undefined;

  constructor(private readonly options: TransportMonitorOptions) {
    const { registry, metricsPrefix } = options;
    this.retries = new Counter({
      name: `${metricsPrefix}_retries_total`,
      help: 'retriable failures (partition paused and retried)',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.lag = new Gauge({
      name: `${metricsPrefix}_consumer_lag`,
      help: 'records not yet committed by the group, per input topic',
      labelNames: ['topic'],
      registers: [registry],
    });
    options.health.register({
      name: 'consumer',
      check: () => (this.failed ? Promise.reject(new Error(this.failed)) : Promise.resolve()),
    });
  }

  readonly retried = (_error: unknown, _attempt: number, topic: string): void => {
    this.retries.inc({ topic });
  };

  /** Keeps the first error: what kafkajs reports after it is often a wrapper of it. */
  readonly stopped = (error: unknown): void => {
    this.failed ??= error instanceof Error ? error.message : String(error);
  };

  readonly skipped = (position: PartitionPosition): void => {
    this.positions.set(`${position.topic}:${position.partition}`, position.nextOffset);
  };

  start(): void {
    this.timer = setInterval(() => void this.updateLag(), this.options.lagIntervalMs ?? LAG_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async updateLag(): Promise<void> {
    try {
      const lag = await consumerGroupLag(
        this.options.admin,
        this.options.groupId,
        this.options.topics,
        this.positions,
      );
      for (const [topic, value] of lag) this.lag.set({ topic }, value);
    } catch {
      // Lag is best effort; readiness reports Kafka problems.
    }
  }
}
