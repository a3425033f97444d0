import { Logger } from '@nestjs/common';
import {
  BaseRpcContext,
  Server,
  type CustomTransportStrategy,
  type MessageHandler,
} from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import {
  PartitionBatchRunner,
  type BatchHandler,
  type HandledBatch,
  type PartitionBatchRunnerOptions,
} from '@streamscore/kafka';
import { runnerLogger } from '../runner-logger';
import type { TransportMonitor } from './transport-monitor';

/**
 * The Nest patterns of one consumer group's handler: `@MessagePattern(name)` receives each
 * partition micro-batch and returns a HandledBatch; `@EventPattern(name + '.assigned')` and
 * `@EventPattern(name + '.skipped')` are optional (BatchHandler's assigned and skipped).
 */
export function batchPatterns(name: string): { batch: string; assigned: string; skipped: string } {
  return { batch: name, assigned: `${name}.assigned`, skipped: `${name}.skipped` };
}

/** What the handler's `@Ctx()` receives: the micro-batch's topic and partition. */
export class PartitionBatchContext extends BaseRpcContext<[string, number]> {
  get topic(): string {
    return this.args[0];
  }

  get partition(): number {
    return this.args[1];
  }
}

export type PartitionBatchServerOptions = Omit<
  PartitionBatchRunnerOptions,
  'kafka' | 'handler' | 'logger' | 'onRetry' | 'onFatal'
> & {
  readonly kafka: Kafka;
  /** The handler's pattern name (batchPatterns). */
  readonly pattern: string;
  readonly monitor: TransportMonitor;
};

/**
 * The platform's Kafka transport as a Nest custom transport strategy. Nest's own Kafka transport
 * hands handlers one message at a time; scoring, validation and windows need a partition's
 * micro-batch and its exactly-once delivery, which PartitionBatchRunner owns.
 */
export class PartitionBatchServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(PartitionBatchServer.name);
  private runner: PartitionBatchRunner | undefined;

  constructor(private readonly options: PartitionBatchServerOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => {
        callback();
      },
      (error: unknown) => {
        callback(error);
      },
    );
  }

  async close(): Promise<void> {
    this.options.monitor.stop();
    await this.runner?.stop();
  }

  on(): never {
    throw new Error('PartitionBatchServer has no status events; see /health/ready');
  }

  // Nest's Server declares unwrap<T>; the one thing underneath is the runner.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  unwrap<T>(): T {
    if (!this.runner) throw new Error('PartitionBatchServer is not listening');
    return this.runner as T;
  }

  private async start(): Promise<void> {
    const { monitor, pattern, ...runnerOptions } = this.options;
    this.runner = new PartitionBatchRunner({
      ...runnerOptions,
      handler: this.handlerOf(pattern),
      logger: runnerLogger(this.log),
      onRetry: monitor.retried,
      onFatal: monitor.stopped,
    });
    await this.runner.start();
    monitor.start();
    this.log.log(
      `consuming ${this.options.topics.join(', ')} as ${this.options.groupId} with handler '${pattern}'`,
    );
  }

  /** The registered Nest handlers of `pattern`, as the runner's BatchHandler. */
  private handlerOf(pattern: string): BatchHandler {
    const patterns = batchPatterns(pattern);
    const batch = this.getHandlerByPattern(patterns.batch);
    if (!batch)
      throw new Error(`no @MessagePattern('${pattern}') handler is registered for the batch transport`);
    const assigned = this.getHandlerByPattern(patterns.assigned);
    const skipped = this.getHandlerByPattern(patterns.skipped);
    const { monitor } = this.options;
    return {
      handle: (b) => this.invoke<HandledBatch>(batch, b, [b.topic, b.partition]),
      ...(assigned ? { assigned: (a) => this.invoke<undefined>(assigned, a, ['', -1]) } : {}),
      skipped: (position) => {
        monitor.skipped(position);
        if (!skipped) return;
        this.invoke(skipped, position, [position.topic, position.partition]).catch((error: unknown) => {
          this.log.warn(`'${patterns.skipped}' failed: ${String(error)}`);
        });
      },
    };
  }

  /** Calls a Nest handler (guards, pipes, interceptors, filters) and awaits its one result. */
  private async invoke<T>(handler: MessageHandler, data: unknown, context: [string, number]): Promise<T> {
    const result: unknown = await handler(data, new PartitionBatchContext(context));
    try {
      return (await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined })) as T;
    } catch (error) {
      throw hiddenByDefaultFilter(error)
        ? new Error(
            `a handler error reached the transport as ${JSON.stringify(error)}: Nest's default RPC filter replaced it; declare the handler's controller with @BatchHandlerController()`,
          )
        : error;
    }
  }
}

/** What Nest's default RPC exception filter makes of any error: a plain `{ status: 'error', message }`. */
function hiddenByDefaultFilter(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    !(error instanceof Error) &&
    (error as { status?: unknown }).status === 'error'
  );
}
