/** One look at a service's health endpoints during a fault. */
export interface HealthSample {
  readonly at: number;
  /** HTTP status of /health/ready; 0 when it did not answer within the probe's timeout. */
  readonly ready: number;
  /** The `redis` check's status in the readiness body, when the body had one. */
  readonly redis: string | undefined;
  /** HTTP status of /health/live; 0 when it did not answer within the probe's timeout. */
  readonly live: number;
}

/**
 * A probe that hangs must not stall the scenario: each request gets this long, more than the
 * services' own 2 s limit per readiness check (libs/observability), so a slow check still answers.
 */
export const PROBE_TIMEOUT_MS = 5_000;

async function get(url: string): Promise<{ status: number; body: unknown }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  } catch {
    return { status: 0, body: undefined };
  }
}

/** Readiness (with its redis check) and liveness of the service at `baseUrl`, each time-boxed. */
export async function probeHealth(baseUrl: string): Promise<HealthSample> {
  const ready = await get(`${baseUrl}/health/ready`);
  const checks = (ready.body as { checks?: Record<string, { status?: string }> } | undefined)?.checks;
  const live = await get(`${baseUrl}/health/live`);
  return { at: Date.now(), ready: ready.status, redis: checks?.['redis']?.status, live: live.status };
}

/**
 * Samples every `intervalMs` for `durationMs`. An assertion over the samples means something only
 * if there are enough of them, so this fails unless at least `minSamples` were taken.
 */
export async function sampleHealth(
  baseUrl: string,
  options: { readonly durationMs: number; readonly intervalMs: number; readonly minSamples: number },
  during?: () => Promise<void>,
): Promise<HealthSample[]> {
  const started = Date.now();
  const samples: HealthSample[] = [];
  while (Date.now() - started < options.durationMs) {
    samples.push(await probeHealth(baseUrl));
    if (during) await during();
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
  if (samples.length < options.minSamples) {
    throw new Error(
      `only ${samples.length} health samples in ${options.durationMs} ms (at least ${options.minSamples} needed)`,
    );
  }
  return samples;
}
