export const FEATURES_CONFIG = Symbol('FEATURES_CONFIG');
/** The deployment's streams and feature views (FeatureDeployment). */
export const DEPLOYMENT = Symbol('DEPLOYMENT');
/** FeatureMaterializer and FeatureReader on the platform's Redis client. */
export const FEATURE_STORE = Symbol('FEATURE_STORE');
