import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { ConfigOf } from '@streamscore/config';
import type { serviceEnv } from '@streamscore/config';
import { TopicCatalogue, type TopicKey } from '@streamscore/contracts';
import { createKafka, kafkaOptionsFromEnv, kafkaReadinessCheck, verifyTopics } from '@streamscore/kafka';
import { describeError, HealthRegistry } from '@streamscore/observability';
import { createRedis, redisReadinessCheck } from './redis-client';

export const KAFKA = Symbol('KAFKA');
export const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');
export const REDIS = Symbol('REDIS');
export const TOPICS = Symbol('TOPICS');
export const PLATFORM_OPTIONS = Symbol('PLATFORM_OPTIONS');

export type ServiceEnv = ConfigOf<typeof serviceEnv>;

export interface PlatformOptions {
  readonly service: string;
  readonly env: ServiceEnv;
  /** Topics this service reads or writes: checked at boot against the catalogue. */
  readonly topics: readonly TopicKey[];
  /** Whether this service needs Redis (and its readiness check). */
  readonly redis: boolean;
}

@Injectable()
class PlatformLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Platform');

  constructor(
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformOptions,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(TOPICS) private readonly topics: TopicCatalogue,
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly health: HealthRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    this.health.register(kafkaReadinessCheck(this.admin));
    if (this.redis) this.health.register(redisReadinessCheck(this.redis));
    await this.admin.connect();
    const problems = await verifyTopics(
      this.admin,
      this.options.topics.map((k) => this.topics.spec(k)),
    );
    if (problems.length > 0) {
      throw new Error(`topics are not as the catalogue says: ${problems.join('; ')}`);
    }
    this.logger.log(`${this.options.topics.length} topics verified`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
    this.redis?.disconnect();
  }
}

/** Kafka, Redis and the topic catalogue for one service, with readiness checks and a boot-time topic check. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const logger = new Logger(options.service);
    const kafka = createKafka({
      ...kafkaOptionsFromEnv(options.env, options.service),
      log: (level, message, extra) => {
        const line = `kafkajs: ${message} ${JSON.stringify(extra)}`;
        if (level === 'error') logger.error(line);
        else if (level === 'warn') logger.warn(line);
        else logger.debug(line);
      },
    });
    const redis = options.redis
      ? createRedis({
          url: options.env.REDIS_URL,
          username: options.env.REDIS_USERNAME,
          password: options.env.REDIS_PASSWORD,
          tlsCaFile: options.env.REDIS_TLS_CA_FILE,
          onError: (error) => {
            logger.warn(`redis: ${describeError(error)}`);
          },
        })
      : null;
    const catalogue = new TopicCatalogue({
      ...(options.env.TOPIC_PREFIX ? { prefix: options.env.TOPIC_PREFIX } : {}),
      partitions: options.env.TOPIC_PARTITIONS,
    });
    return {
      module: PlatformModule,
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        { provide: KAFKA, useValue: kafka },
        { provide: KAFKA_ADMIN, useValue: kafka.admin() },
        { provide: REDIS, useValue: redis },
        { provide: TOPICS, useValue: catalogue },
        PlatformLifecycle,
      ],
      exports: [KAFKA, KAFKA_ADMIN, REDIS, TOPICS, PLATFORM_OPTIONS],
    };
  }
}

export type { Kafka, Admin, Redis };
