import { mulberry32 } from '@streamscore/drift';
import { binaryLogLossTerm } from '../metrics/log-loss';
import type { CanaryRule } from './canary-design';
import {
  lookAtCanary,
  observePaired,
  observeTwoSample,
  startCanary,
  type CanaryDecision,
} from './canary-rule';

/**
 * Test support (not exported by the lib): seeded per-event log-losses of realistic binary models for
 * the canary specs. A population of events (30 % positives, label signal 1.2 sd, each model adding
 * its own N(0, 0.7²) noise to the logit) is scored by two exchangeable models; streams then draw
 * events from it with replacement. Exchangeable models make the null exact: the paired pool holds
 * each difference and its negative (mean exactly 0); both two-sample streams draw from one pool of
 * log-losses. A candidate "worse by θ" adds θ to each of its log-losses, so the effect on the decision
 * metric is exactly θ.
 */
export interface LogLossPopulation {
  /** Per-event logloss(candidate) − logloss(active), symmetrised: mean 0. */
  readonly differences: Float64Array;
  /** Per-event log-losses of both exchangeable models: one distribution, as A/A streams need. */
  readonly losses: Float64Array;
  readonly differenceVariance: number;
  readonly lossVariance: number;
}

function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function variance(values: Float64Array): number {
  let mean = 0;
  for (const v of values) mean += v / values.length;
  let sum = 0;
  for (const v of values) sum += (v - mean) ** 2;
  return sum / (values.length - 1);
}

/** POOL_EVENTS/2 events: the paired pool holds each difference and its negative. */
export function logLossPopulation(seed: number): LogLossPopulation {
  const events = POOL_EVENTS / 2;
  const random = mulberry32(seed);
  const normal = gaussian(random);
  const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
  const differences = new Float64Array(2 * events);
  const losses = new Float64Array(2 * events);
  for (let i = 0; i < events; i++) {
    const label = random() < 0.3 ? 1 : 0;
    const logit = 1.2 * label + normal() - 1.45;
    const active = binaryLogLossTerm(sigmoid(logit + 0.7 * normal()), label);
    const candidate = binaryLogLossTerm(sigmoid(logit + 0.7 * normal()), label);
    differences[2 * i] = candidate - active;
    differences[2 * i + 1] = active - candidate;
    losses[2 * i] = active;
    losses[2 * i + 1] = candidate;
  }
  return { differences, losses, differenceVariance: variance(differences), lossVariance: variance(losses) };
}

/** Pool size: a power of two, so one 32-bit draw of the PRNG yields two 16-bit indices. */
export const POOL_EVENTS = 1 << 16;

/**
 * A seeded sampler of `count` values drawn with replacement from a pool of POOL_EVENTS values, each
 * shifted by `shift`. Two indices per PRNG call: global lookups (mulberry32's Math.imul) are slow
 * inside Jest's VM context, and the Monte Carlo spec draws tens of millions of events.
 */
export function sampler(seed: number, pool: Float64Array): (count: number, shift: number) => Float64Array {
  if (pool.length !== POOL_EVENTS) throw new RangeError(`sampler: the pool must hold ${POOL_EVENTS} values`);
  const random = mulberry32(seed);
  let spare = -1;
  return (count, shift) => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      let index = spare;
      if (index < 0) {
        const bits = random() * 4294967296;
        index = bits >>> 16;
        spare = bits & 0xffff;
      } else {
        spare = -1;
      }
      out[i] = (pool[index] ?? 0) + shift;
    }
    return out;
  };
}

export interface SimulatedStream {
  readonly comparison: 'paired' | 'two-sample';
  readonly population: LogLossPopulation;
  readonly seed: number;
  /** θ: added to each candidate log-loss. */
  readonly effect: number;
  /** Candidate events per look; a two-sample look also brings activePerCandidate × as many active events. */
  readonly candidatePerLook: number;
  readonly activePerCandidate: number;
}

/** Runs one stream, looking after every batch, until the rule promotes or rolls back. */
export function runToDecision(stream: SimulatedStream, rule: CanaryRule): CanaryDecision {
  const { population, effect, candidatePerLook } = stream;
  let state = startCanary(stream.comparison);
  if (stream.comparison === 'paired') {
    const draw = sampler(stream.seed, population.differences);
    for (;;) {
      const look = lookAtCanary(observePaired(state, draw(candidatePerLook, effect)), rule);
      if (look.decision.action !== 'continue') return look.decision;
      state = look.state;
    }
  }
  const candidate = sampler(stream.seed, population.losses);
  const active = sampler(stream.seed + 0x9e3779b9, population.losses);
  const activePerLook = candidatePerLook * stream.activePerCandidate;
  for (;;) {
    const look = lookAtCanary(
      observeTwoSample(state, candidate(candidatePerLook, effect), active(activePerLook, 0)),
      rule,
    );
    if (look.decision.action !== 'continue') return look.decision;
    state = look.state;
  }
}
