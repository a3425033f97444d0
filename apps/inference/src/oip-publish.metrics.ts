import { Counter, Gauge, type Registry } from 'prom-client';
import type { DropReason, PublisherEvents } from '@streamscore/inference';

/**
 * Predictions of `/v2` infer requests on their way to the predictions topics: published (acknowledged
 * by every in-sync replica) + dropped = every row answered; failed sends are retried.
 */
export class OipPublishMetrics {
  readonly published: Counter;
  readonly dropped: Counter<'reason'>;
  readonly sendsFailed: Counter;
  readonly queued: Gauge;

  constructor(registry: Registry, queued: () => number) {
    const registers = [registry];
    this.published = new Counter({
      name: 'inference_oip_predictions_published_total',
      help: 'Predictions of /v2 infer requests acknowledged by the predictions topics (acks=-1); a retried send may have written one twice',
      registers,
    });
    this.dropped = new Counter({
      name: 'inference_oip_predictions_dropped_total',
      help: 'Predictions of /v2 infer requests not published: queue_full (the publish queue was full), shutdown (not acknowledged within the flush at shutdown), unbuildable (building the record failed: a bug, logged)',
      labelNames: ['reason'],
      registers,
    });
    this.sendsFailed = new Counter({
      name: 'inference_oip_prediction_sends_failed_total',
      help: 'failed sends of /v2 Predictions (their records are sent again after a backoff)',
      registers,
    });
    this.queued = new Gauge({
      name: 'inference_oip_predictions_queued',
      help: 'Predictions of /v2 infer requests waiting for a send',
      registers,
      collect() {
        this.set(queued());
      },
    });
  }

  /** The publisher's events as counter increments; a failed send is logged by `log`. */
  events(log: (message: string) => void): PublisherEvents {
    return {
      published: (records) => {
        this.published.inc(records);
      },
      dropped: (reason: DropReason, records, error) => {
        this.dropped.inc({ reason }, records);
        if (reason === 'unbuildable')
          log(`${records} /v2 predictions not published (${reason}): ${String(error)}`);
      },
      sendFailed: (error, records) => {
        this.sendsFailed.inc();
        log(`sending ${records} /v2 predictions failed, retrying after a backoff: ${String(error)}`);
      },
    };
  }
}
