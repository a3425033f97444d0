import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  UseGuards,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { ContentTypes, entityKeyOf, Headers, type TopicCatalogue } from '@streamscore/contracts';
import { ApiKeyGuard } from '@streamscore/observability';
import { KAFKA, TOPICS } from '@streamscore/platform';
import type { IngestionConfig } from './config';
import { GATE_ROUTES, type GateRoutes } from './gate-routes';
import { INGESTION_CONFIG } from './tokens';

type EventResult =
  | { index: number; status: 'accepted' }
  | { index: number; status: 'rejected'; code: string; reason: string; fields: readonly string[] };

/**
 * HTTP entry for clients without Kafka. A batch is all-or-nothing: when any event is invalid the
 * answer is 400 with a result per event and nothing is written, so a client can fix and resend the
 * whole batch without creating duplicates. Valid batches go to the input topic (canonical Avro) and
 * pass the same gate as everything else.
 */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class EventsController implements OnModuleDestroy {
  private producer: Producer | undefined;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(TOPICS) private readonly topics: TopicCatalogue,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
    @Inject(GATE_ROUTES) private readonly routes: GateRoutes,
  ) {}

  @Post(':stream')
  @HttpCode(HttpStatus.ACCEPTED)
  async post(
    @Param('stream') stream: string,
    @Body() body: unknown,
  ): Promise<{ accepted: number; results: EventResult[] }> {
    if (stream !== 'events' && stream !== 'outcomes')
      throw new BadRequestException(`unknown stream ${stream}; use events or outcomes`);
    if (!Array.isArray(body)) throw new BadRequestException('body must be a JSON array of events');
    if (body.length > this.config.STREAMSCORE_HTTP_MAX_EVENTS) {
      throw new BadRequestException(
        `at most ${this.config.STREAMSCORE_HTTP_MAX_EVENTS} events per request, got ${body.length}`,
      );
    }
    const topic = this.topics.name(stream);
    const route = this.routes.get(topic);
    if (!route) throw new BadRequestException(`stream ${stream} is not configured`);
    const decoded = body.map((event) => route.decoder.fromJson(event));
    const results: EventResult[] = decoded.map((r, index) =>
      r.ok
        ? { index, status: 'accepted' }
        : { index, status: 'rejected', code: r.code, reason: r.reason, fields: r.fields },
    );
    if (decoded.some((r) => !r.ok))
      throw new BadRequestException({ message: 'some events are invalid; nothing was accepted', results });
    const producer = await this.getProducer();
    await producer.send({
      topic,
      acks: -1,
      messages: decoded.map((r) =>
        r.ok
          ? {
              key: entityKeyOf(r.record, route.keyFields),
              value: r.canonical,
              headers: { [Headers.contentType]: ContentTypes.avro },
            }
          : { value: null },
      ),
    });
    return { accepted: decoded.length, results };
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer?.disconnect();
  }

  private async getProducer(): Promise<Producer> {
    if (!this.producer) {
      this.producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await this.producer.connect();
    }
    return this.producer;
  }
}
