export { ConfigError, type ConfigProblem } from './config-error';
export * from './env-fields';
export { loadConfig, redactConfig, type ConfigOf, type EnvSpec, type LoadOptions } from './load-config';
export { serviceEnv } from './service-env';
