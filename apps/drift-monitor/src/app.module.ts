import { type DynamicModule, Module } from '@nestjs/common';
import { loadPipelineConfig, serviceModules } from '@streamscore/platform';
import type { DriftMonitorConfig } from './config';
import { DriftPageController, DriftReportsController } from './drift.controller';
import { DriftMonitorService } from './drift-monitor.service';
import { DRIFT_CONFIG, PIPELINE } from './tokens';

export const SERVICE_NAME = 'drift-monitor';

@Module({})
export class AppModule {
  static forRoot(config: DriftMonitorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: serviceModules({
        service: SERVICE_NAME,
        env: config,
        topics: ['predictions', 'driftReports', 'driftAlerts', 'retrainingTriggers'],
        redis: false,
      }),
      controllers: [DriftReportsController, DriftPageController],
      providers: [
        { provide: DRIFT_CONFIG, useValue: config },
        { provide: PIPELINE, useValue: loadPipelineConfig(config.STREAMSCORE_PIPELINE) },
        DriftMonitorService,
      ],
    };
  }
}
