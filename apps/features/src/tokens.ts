export const FEATURES_CONFIG = Symbol('FEATURES_CONFIG');
/** The deployment's streams and feature views (FeatureDeployment). */
export const DEPLOYMENT = Symbol('DEPLOYMENT');
/** FeatureMaterializer and FeatureReader on the platform's Redis client. */
export const FEATURE_STORE = Symbol('FEATURE_STORE');
/** The consumer group: STREAMSCORE_GROUP_ID, or a fresh one per start with STREAMSCORE_REBUILD. */
export const FEATURES_GROUP_ID = Symbol('FEATURES_GROUP_ID');
