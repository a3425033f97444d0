import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackOptionsInput } from './options';

/** A port the OS just handed out on 127.0.0.1 (free now; another process could take it later). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

/**
 * Options for a stack of one's own (chaos tests): free ports, a fresh temp data dir, and the
 * addresses in KAFKA_BROKERS / REDIS_URL ignored, so nothing shared is ever stopped.
 */
export async function privateStackOptions(
  extra: Partial<StackOptionsInput> = {},
): Promise<StackOptionsInput> {
  const [kafkaPort, controllerPort, redisPort] = [await freePort(), await freePort(), await freePort()];
  return {
    kafkaPort,
    controllerPort,
    redisPort,
    dataDir: mkdtempSync(join(tmpdir(), 'streamscore-stack-')),
    reuseGiven: false,
    ...extra,
  };
}
