export const DRIFT_CONFIG = Symbol('DRIFT_CONFIG');
export const PIPELINE = Symbol('PIPELINE');
