/**
 * Test fixtures on the demo's flights: real data for the tests, benches and chaos runs
 * (`@streamscore/demo-flights/testing`). Services never import it.
 */
export * from './flight-stream';
export * from './flights-fixture';
export {
  loadFlightsJson,
  loadFlightsParquet,
  toFlightEvents,
  type Flight,
  type FlightDeparture,
  type FlightOutcome,
} from '../data';
export { loadFlightFeatureViews } from '../feature-views';
export { defaultSlices, planReplay, type ReplayPlan, type ReplayRecord } from '../../runner/replay-plan';
export { account, type Summary } from '../../runner/accounting';
