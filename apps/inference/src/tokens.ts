export const INFERENCE_CONFIG = Symbol('INFERENCE_CONFIG');
export const PIPELINE = Symbol('PIPELINE');
