import 'reflect-metadata';
import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigError } from '@streamscore/config';
import { HealthRegistry } from './health-registry';

export interface ServiceDefinition<C> {
  readonly name: string;
  /** Reads and validates process.env once; throws ConfigError. */
  readonly loadConfig: () => C;
  readonly createModule: (config: C) => DynamicModule;
  readonly http: (config: C) => { port: number; host: string; bodyLimit?: string; shutdownGraceMs?: number };
  /** After init (bootstrap hooks ran), before HTTP listens: e.g. start consuming (startBatchTransport). */
  readonly afterInit?: (app: INestApplication) => Promise<void>;
}

/**
 * Boots a service: strict config first (a bad variable exits 1 naming it, before any connection
 * is attempted), then Nest with pino logs and shutdown hooks so SIGTERM drains in-flight work.
 */
export async function runService<C>(definition: ServiceDefinition<C>): Promise<INestApplication> {
  let config: C;
  try {
    config = definition.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await NestFactory.create<NestExpressApplication>(definition.createModule(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const http = definition.http(config);
  app.useBodyParser('json', { limit: http.bodyLimit ?? '1mb' });
  installGracefulShutdown(app, definition.name, http.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
  await app.init();
  await definition.afterInit?.(app);
  await app.listen(http.port, http.host);
  app.get(Logger).log(`${definition.name} listening on ${http.host}:${await portOf(app)}`);
  return app;
}

const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

/**
 * What `enableShutdownHooks()` does (runs every lifecycle hook: in-flight batches finish and
 * commit, clients disconnect), but the process then exits 0 instead of re-raising the signal, and
 * a hung shutdown is cut off after the grace period (Kubernetes' default is 30 s).
 */
function installGracefulShutdown(app: INestApplication, name: string, graceMs: number): void {
  const health = app.get(HealthRegistry);
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    health.markShuttingDown();
    const timer = setTimeout(() => {
      process.stderr.write(
        `${name}: shutdown did not finish within ${graceMs} ms after ${signal}; exiting\n`,
      );
      process.exit(1);
    }, graceMs);
    timer.unref();
    app
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        process.stderr.write(`${name}: error during shutdown: ${String(error)}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

async function portOf(app: INestApplication): Promise<string> {
  const url = await app.getUrl();
  return new URL(url).port;
}

/** Entry point helper: any boot failure is one log line and exit code 1. */
export function main<C>(definition: ServiceDefinition<C>): void {
  runService(definition).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${definition.name}: failed to start: ${message}\n`);
    process.exit(1);
  });
}
