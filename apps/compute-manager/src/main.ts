import 'reflect-metadata';
import { HOST_REPORTS_STREAM, HOST_REPORTS_SUBJECTS, MODULE_DATA_STREAM, MODULE_DATA_SUBJECTS } from '@vnet/contracts';
import { bootstrapService, eventStreamOf, loadConfig, runMain } from '@vnet/events';
import { AppModule, SERVICE } from './app.module.js';
import { ComputeManagerConfig } from './config/compute-manager.config.js';

runMain(SERVICE, async () => {
  const config = loadConfig(ComputeManagerConfig);
  const own = eventStreamOf(SERVICE);
  await bootstrapService(AppModule.forRoot(config), {
    service: SERVICE,
    title: 'vnet compute manager',
    config,
    port: config.COMPUTE_MANAGER_PORT,
    consumes: [
      { name: own.name, subjects: [`${own.subjectPrefix}.>`] },
      { name: HOST_REPORTS_STREAM, subjects: [HOST_REPORTS_SUBJECTS] },
      { name: MODULE_DATA_STREAM, subjects: [MODULE_DATA_SUBJECTS] },
    ],
  });
});
