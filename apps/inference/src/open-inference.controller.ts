import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type {
  InferenceResponse,
  ModelMetadataResponse,
  ModelReadyResponse,
  ServerMetadataResponse,
} from '@streamscore/inference';
import { ApiKeyGuard, HealthRegistry } from '@streamscore/observability';
import { InferenceService } from './inference.service';

/**
 * The protocol's health endpoints: open like the service's /health/*, so a probe needs no key.
 * Ready means what /health/ready means (Kafka, Redis and a model version serving).
 */
@Controller('v2/health')
export class OipHealthController {
  constructor(private readonly health: HealthRegistry) {}

  @Get('live')
  live(): { live: boolean } {
    return { live: true };
  }

  /** `{ "ready": … }` (the REST text says "live" here, a copy slip: the gRPC message's field is ready). */
  @Get('ready')
  async ready(@Res() response: Response): Promise<void> {
    const { ready } = await this.health.readiness();
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ ready });
  }
}

/**
 * Open Inference Protocol v2 REST endpoints for request/response calls on the model the stream
 * serves, behind the service's API key (x-api-key, when API_KEY is set). Errors become
 * `{"error": …}` in OipErrorFilter.
 */
@Controller('v2')
@UseGuards(ApiKeyGuard)
export class OipController {
  constructor(private readonly inference: InferenceService) {}

  @Get()
  server(): ServerMetadataResponse {
    return this.inference.openInference.serverMetadata();
  }

  @Get('models/:model')
  model(@Param('model') model: string): ModelMetadataResponse {
    return this.inference.openInference.modelMetadata(model);
  }

  @Get('models/:model/versions/:version')
  modelVersion(@Param('model') model: string, @Param('version') version: string): ModelMetadataResponse {
    return this.inference.openInference.modelMetadata(model, version);
  }

  @Get('models/:model/ready')
  modelReady(@Param('model') model: string): ModelReadyResponse {
    return this.inference.openInference.modelReady(model);
  }

  @Get('models/:model/versions/:version/ready')
  modelVersionReady(@Param('model') model: string, @Param('version') version: string): ModelReadyResponse {
    return this.inference.openInference.modelReady(model, version);
  }

  @Post('models/:model/infer')
  @HttpCode(HttpStatus.OK)
  infer(@Param('model') model: string, @Body() body: unknown): Promise<InferenceResponse> {
    return this.inference.openInference.infer(model, undefined, body);
  }

  @Post('models/:model/versions/:version/infer')
  @HttpCode(HttpStatus.OK)
  inferVersion(
    @Param('model') model: string,
    @Param('version') version: string,
    @Body() body: unknown,
  ): Promise<InferenceResponse> {
    return this.inference.openInference.infer(model, version, body);
  }
}
