import {
  applyDecorators,
  Catch,
  Controller,
  UseFilters,
  type INestApplication,
  type InjectionToken,
  type Provider,
  type RpcExceptionFilter,
} from '@nestjs/common';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { throwError, type Observable } from 'rxjs';
import { HealthRegistry, METRICS_REGISTRY } from '@streamscore/observability';
import { KAFKA, KAFKA_ADMIN } from '../platform.module';
import { PartitionBatchServer, type PartitionBatchServerOptions } from './partition-batch-server';
import { TransportMonitor } from './transport-monitor';

/** The service's PartitionBatchServer (or null when it consumes nothing). */
export const BATCH_TRANSPORT = Symbol('BATCH_TRANSPORT');

export type BatchTransportSettings = Omit<PartitionBatchServerOptions, 'kafka' | 'monitor'> & {
  /** The service's metric prefix: `<prefix>_consumer_lag`, `<prefix>_retries_total`. */
  readonly metricsPrefix: string;
};

/**
 * The provider of a service's batch transport: `settings` receives the `inject` tokens' values and
 * returns what the service consumes and how, or undefined to consume nothing.
 */
export function batchTransport(definition: {
  readonly inject: readonly InjectionToken[];
  readonly settings: (...deps: never[]) => BatchTransportSettings | undefined;
}): Provider {
  return {
    provide: BATCH_TRANSPORT,
    inject: [KAFKA, KAFKA_ADMIN, METRICS_REGISTRY, HealthRegistry, ...definition.inject],
    useFactory: (
      kafka: Kafka,
      admin: Admin,
      registry: Registry,
      health: HealthRegistry,
      ...deps: never[]
    ): PartitionBatchServer | null => {
      const settings = definition.settings(...deps);
      if (!settings) return null;
      const { metricsPrefix, ...options } = settings;
      const monitor = new TransportMonitor({
        registry,
        metricsPrefix,
        admin,
        groupId: options.groupId,
        topics: options.topics,
        health,
      });
      return new PartitionBatchServer({ ...options, kafka, monitor });
    },
  };
}

/**
 * Handler errors reach the transport unchanged, so the one error rule decides on them (Nest's
 * default RPC filter turns every error into a plain `{ status, message }` object).
 */
@Catch()
export class HandlerErrorsToTransport implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Declares the Nest controller that holds a service's batch handler (`@MessagePattern` of a
 * partition batch). Its filter is bound here, on the class, because a global filter registered on
 * a hybrid app's microservice after connectMicroservice comes too late (Nest 11 binds the
 * handlers' filters when it connects).
 */
export function BatchHandlerController(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(new HandlerErrorsToTransport()));
}

/** After init (so bootstrap hooks ran): connects the service's batch transport and starts consuming. */
export async function startBatchTransport(app: INestApplication): Promise<void> {
  const strategy = app.get<PartitionBatchServer | null>(BATCH_TRANSPORT, { strict: false });
  if (!strategy) return;
  app.connectMicroservice<MicroserviceOptions>({ strategy });
  await app.startAllMicroservices();
}
