export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');
export const PIPELINE = Symbol('PIPELINE');
