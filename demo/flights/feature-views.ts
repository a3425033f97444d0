import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeatureViews, type FeatureView } from '@streamscore/features';

export const FLIGHT_FEATURE_VIEWS_PATH = join(__dirname, 'feature-views.json');

/** The demo's feature views, validated at load: a bad file fails here, naming the field. */
export function loadFlightFeatureViews(path = FLIGHT_FEATURE_VIEWS_PATH): FeatureView[] {
  return parseFeatureViews(JSON.parse(readFileSync(path, 'utf8')), path);
}
