import 'reflect-metadata';
import { HOST_REPORTS_STREAM_SPEC, MODULE_DATA_STREAM_SPEC } from '@vnet/contracts';
import { bootstrapService, eventStreamOf, eventStreamSpec, loadConfig, runMain } from '@vnet/events';
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
    consumes: [eventStreamSpec(own), HOST_REPORTS_STREAM_SPEC, MODULE_DATA_STREAM_SPEC],
  });
});
