import 'reflect-metadata';
import { HOST_REPORTS_STREAM, HOST_REPORTS_SUBJECTS } from '@vnet/contracts';
import { bootstrapService, loadConfig, runMain } from '@vnet/events';
import { AppModule, SERVICE } from './app.module.js';
import { ComputeManagerConfig } from './config/compute-manager.config.js';

runMain(SERVICE, async () => {
  const config = loadConfig(ComputeManagerConfig);
  await bootstrapService(AppModule.forRoot(config), {
    service: SERVICE,
    title: 'vnet compute manager',
    config,
    port: config.COMPUTE_MANAGER_PORT,
    consumes: [{ name: HOST_REPORTS_STREAM, subjects: [HOST_REPORTS_SUBJECTS] }],
  });
});
