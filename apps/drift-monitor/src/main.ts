import { main } from '@streamscore/observability';
import { startBatchTransport } from '@streamscore/platform';
import { AppModule, SERVICE_NAME } from './app.module';
import { loadDriftMonitorConfig } from './config';

main({
  name: SERVICE_NAME,
  loadConfig: () => loadDriftMonitorConfig(),
  createModule: (config) => AppModule.forRoot(config),
  http: (config) => ({ port: config.HTTP_PORT, host: config.HTTP_HOST }),
  afterInit: startBatchTransport,
});
