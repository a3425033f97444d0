import { main } from '@streamscore/observability';
import { startBatchTransport } from '@streamscore/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadIngestionConfig } from './config';

main({
  name: SERVICE_NAME,
  loadConfig: () => loadIngestionConfig(),
  createModule: (config) => AppModule.forRoot(config),
  http: (config) => ({
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    bodyLimit: config.STREAMSCORE_HTTP_BODY_LIMIT,
  }),
  afterInit: startBatchTransport,
});
