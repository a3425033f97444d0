import { readFileSync } from 'node:fs';
import { scrape, sumMetric, type ServiceName, type ServiceProcess } from '@streamscore/testing';

export const SOAK_SERVICES = ['ingestion', 'features', 'inference', 'drift-monitor'] as const;

/**
 * Each service's consumer lag: the transport's `<prefix>_consumer_lag` gauge (records not yet
 * committed by its group, per input topic, polled every 5 s; libs/platform transport-monitor.ts),
 * summed over its input topics. It counts past transaction markers, which an admin's
 * end-offset-minus-committed would not.
 */
const LAG_METRIC: Record<ServiceName, string> = {
  ingestion: 'ingestion_consumer_lag',
  features: 'features_consumer_lag',
  inference: 'inference_consumer_lag',
  'drift-monitor': 'drift_consumer_lag',
};

/**
 * One micro-batch per service: the STREAMSCORE_MAX_BATCH_ROWS the soak starts it with (the
 * services' defaults, apps/<service>/src/config.ts), and the drift monitor's fixed 5,000
 * (apps/drift-monitor/src/app.module.ts). The lag criterion allows this much growth.
 */
export const MICRO_BATCH_ROWS: Record<ServiceName, number> = {
  ingestion: 5_000,
  features: 2_000,
  inference: 1_000,
  'drift-monitor': 5_000,
};

/**
 * Resident set size of a live process now (VmRSS in /proc/<pid>/status), in MiB; undefined once
 * it has exited. Linux only (proc(5)). The peak (VmHWM) is tests/chaos/support/process-memory.ts.
 */
export function residentMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * What fills as a service warms up, printed beside its RSS so a rise can be read: the inference
 * final-bucket cache's slabs (bounded by STREAMSCORE_FEATURE_CACHE_SLABS, 50,000 by default) and
 * the bytes of the drift monitor's open windows.
 */
const FILL_METRIC: Partial<Record<ServiceName, { name: string; labels?: string; label: string }>> = {
  inference: { name: 'inference_feature_cache_buckets', labels: 'result="slabs"', label: 'cache slabs' },
  'drift-monitor': { name: 'drift_open_window_bytes', label: 'open window bytes' },
};

export function fillLabel(name: ServiceName): string | undefined {
  return FILL_METRIC[name]?.label;
}

export interface ServiceSample {
  readonly rssMiB: number | undefined;
  /** undefined when /metrics did not answer. */
  readonly lag: number | undefined;
  /** The service's FILL_METRIC, if it has one. */
  readonly fill: number | undefined;
  /**
   * The JS heap in use and the memory held outside it (Buffers, native addons such as ONNX Runtime's
   * arena), MiB, from prom-client's default metrics: which of the two an RSS rise is.
   */
  readonly heapUsedMiB: number | undefined;
  readonly externalMiB: number | undefined;
}

const MIB = 1_048_576;

function gaugeMiB(metrics: string, name: string): number | undefined {
  return metrics.includes(name) ? sumMetric(metrics, name) / MIB : undefined;
}

export async function sampleService(service: ServiceProcess): Promise<ServiceSample> {
  const metrics = await scrape(service.url);
  const fill = FILL_METRIC[service.name];
  return {
    fill: fill && metrics.includes(fill.name) ? sumMetric(metrics, fill.name, fill.labels) : undefined,
    rssMiB: residentMiB(service.child.pid),
    heapUsedMiB: gaugeMiB(metrics, 'nodejs_heap_size_used_bytes'),
    externalMiB: gaugeMiB(metrics, 'nodejs_external_memory_bytes'),
    lag: metrics.includes(LAG_METRIC[service.name])
      ? sumMetric(metrics, LAG_METRIC[service.name])
      : undefined,
  };
}
