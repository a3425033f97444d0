import type { ServiceName, ServiceProcess } from '@streamscore/testing';
import type { PacedProducer } from './paced-producer';
import type { PredictionTail } from './prediction-tail';
import { fillLabel, sampleService, SOAK_SERVICES } from './service-samples';
import { mean, median, percentile, type ServiceMinute } from './soak-criteria';

/** What the soak prints for one minute (and keeps for the JSON summary). */
export interface MinuteLine {
  minute: number;
  departures: number;
  outcomes: number;
  ratePerS: number;
  /** Longest pause between two sends in the minute: how even the pace was. */
  maxSendGapMs: number;
  e2e: { n: number; p50: number; p99: number; max: number };
  inFlight: number;
  services: Record<
    ServiceName,
    {
      rssMiB: number;
      rssMaxMiB: number;
      lag: number;
      lagMax: number;
      fill?: number;
      /** The minute's last JS heap in use and external memory samples (service-samples.ts). */
      heapUsedMiB?: number;
      externalMiB?: number;
    }
  >;
}

/** Progress goes to stderr; stdout carries the accounting line and the JSON summary. */
export const line = (text: string): void => void process.stderr.write(`${text}\n`);
export const n = (v: number): string => Math.round(v).toLocaleString('en-US');
export const round1 = (v: number): number => Math.round(v * 10) / 10;

/** Per-minute sampling of every service, printed as each minute ends. */
export class MinuteBook {
  readonly minutes: MinuteLine[] = [];
  private samples = new Map<
    ServiceName,
    { rss: number[]; lag: number[]; fill?: number; heapUsedMiB?: number; externalMiB?: number }
  >();
  private departuresBefore = 0;
  private outcomesBefore = 0;

  constructor(
    private readonly services: ReadonlyMap<ServiceName, ServiceProcess>,
    private readonly producer: PacedProducer,
    private readonly tail: PredictionTail,
    private readonly total: number,
  ) {}

  async sample(): Promise<void> {
    for (const [name, service] of this.services) {
      if (service.child.exitCode !== null || service.child.signalCode !== null)
        throw new Error(
          `${name} exited (${service.child.exitCode ?? service.child.signalCode}):\n${service.output()}`,
        );
      const { rssMiB, lag, fill, heapUsedMiB, externalMiB } = await sampleService(service);
      const s = this.samples.get(name) ?? { rss: [], lag: [] };
      if (rssMiB !== undefined) s.rss.push(rssMiB);
      if (lag !== undefined) s.lag.push(lag);
      if (fill !== undefined) s.fill = fill;
      if (heapUsedMiB !== undefined) s.heapUsedMiB = heapUsedMiB;
      if (externalMiB !== undefined) s.externalMiB = externalMiB;
      this.samples.set(name, s);
    }
    if (this.tail.error) throw this.tail.error;
  }

  close(minute: number): void {
    const latencies = this.tail.takeLatencies().sort((a, b) => a - b);
    const departures = this.producer.departures - this.departuresBefore;
    const outcomes = this.producer.outcomes - this.outcomesBefore;
    this.departuresBefore = this.producer.departures;
    this.outcomesBefore = this.producer.outcomes;
    const services = {} as MinuteLine['services'];
    for (const name of SOAK_SERVICES) {
      const s = this.samples.get(name) ?? { rss: [], lag: [] };
      services[name] = {
        rssMiB: round1(mean(s.rss)),
        rssMaxMiB: round1(Math.max(0, ...s.rss)),
        lag: median(s.lag),
        lagMax: Math.max(0, ...s.lag),
        ...(s.fill === undefined ? {} : { fill: s.fill }),
        ...(s.heapUsedMiB === undefined ? {} : { heapUsedMiB: round1(s.heapUsedMiB) }),
        ...(s.externalMiB === undefined ? {} : { externalMiB: round1(s.externalMiB) }),
      };
    }
    this.samples = new Map();
    const entry: MinuteLine = {
      minute,
      departures,
      outcomes,
      ratePerS: Math.round(departures / 60),
      maxSendGapMs: Math.round(this.producer.takeMaxGapMs()),
      e2e: {
        n: latencies.length,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        max: latencies[latencies.length - 1] ?? 0,
      },
      inFlight: this.tail.inFlight,
      services,
    };
    this.minutes.push(entry);
    line(
      `minute ${minute}/${this.total}: sent ${n(departures)} departures (+${n(outcomes)} outcomes, ${n(entry.ratePerS)}/s, longest pause ${n(entry.maxSendGapMs)} ms) · ` +
        `e2e p50 ${n(entry.e2e.p50)} ms p99 ${n(entry.e2e.p99)} ms max ${n(entry.e2e.max)} ms over ${n(entry.e2e.n)} predictions · in flight ${n(entry.inFlight)}`,
    );
    for (const name of SOAK_SERVICES) {
      const s = services[name];
      line(
        `  ${name.padEnd(14)} RSS ${s.rssMiB.toFixed(1).padStart(6)} MiB (max ${s.rssMaxMiB.toFixed(1)})  ` +
          `heap ${(s.heapUsedMiB ?? 0).toFixed(1).padStart(6)} MiB  external ${(s.externalMiB ?? 0).toFixed(1).padStart(6)} MiB  ` +
          `lag ${n(s.lag).padStart(6)} (max ${n(s.lagMax)})` +
          (s.fill === undefined ? '' : `  ${fillLabel(name) ?? ''} ${n(s.fill)}`),
      );
    }
  }

  serviceMinutes(name: ServiceName): ServiceMinute[] {
    return this.minutes.map((m) => ({
      minute: m.minute,
      rssMiB: m.services[name].rssMiB,
      lag: m.services[name].lag,
    }));
  }
}
