import { ConfigError } from './config-error';
import { bool, brokers, int, list, oneOf, optionalStr, str, url } from './env-fields';
import { loadConfig, redactConfig } from './load-config';

const spec = {
  KAFKA_BROKERS: brokers(),
  HTTP_PORT: int({ default: 3000, min: 0, max: 65535 }),
  REDIS_URL: url({ protocols: ['redis', 'rediss'], secret: false }),
  REDIS_PASSWORD: optionalStr({ secret: true }),
  STREAMSCORE_DELIVERY: oneOf(['exactly-once', 'at-least-once'] as const, { default: 'exactly-once' }),
  STREAMSCORE_EXECUTION_PROVIDERS: list({ default: ['cpu'], allowed: ['cuda', 'cpu'] }),
  STREAMSCORE_DEBUG: bool({ default: false }),
  STREAMSCORE_NAME: str({ default: 'x' }),
};

describe('loadConfig', () => {
  const good = { KAFKA_BROKERS: '127.0.0.1:9092,kafka:9093', REDIS_URL: 'redis://u:secret@localhost:6379' };

  it('should parse values and apply defaults', () => {
    const config = loadConfig(spec, good);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', 'kafka:9093']);
    expect(config.HTTP_PORT).toBe(3000);
    expect(config.STREAMSCORE_DELIVERY).toBe('exactly-once');
    expect(config.STREAMSCORE_EXECUTION_PROVIDERS).toEqual(['cpu']);
    expect(config.REDIS_PASSWORD).toBeUndefined();
  });

  it('should name every missing or bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(spec, { HTTP_PORT: '70000', STREAMSCORE_DELIVERY: 'twice' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['HTTP_PORT', 'KAFKA_BROKERS', 'REDIS_URL', 'STREAMSCORE_DELIVERY']);
    expect((error as ConfigError).message).toContain('HTTP_PORT: must be <= 65535, got 70000');
  });

  it('should reject unknown variables under a strict prefix', () => {
    expect(() =>
      loadConfig(spec, { ...good, STREAMSCORE_MAX_BACH_ROWS: '5' }, { strictPrefixes: ['STREAMSCORE_'] }),
    ).toThrow('STREAMSCORE_MAX_BACH_ROWS: is not a known setting of this service');
  });

  it('should reject list items outside the allowed set', () => {
    expect(() => loadConfig(spec, { ...good, STREAMSCORE_EXECUTION_PROVIDERS: 'cuda,tpu' })).toThrow(
      'unknown item(s) tpu',
    );
  });

  it('should redact secrets and URL passwords', () => {
    const config = loadConfig(spec, { ...good, REDIS_PASSWORD: 'hunter2' });
    const shown = JSON.stringify(redactConfig(spec, config));
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('secret');
    expect(shown).toContain('redis://u:***@localhost:6379');
  });
});
