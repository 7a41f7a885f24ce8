import 'reflect-metadata';
import { HOST_REPORTS_STREAM_SPEC } from '@vnet/contracts';
import { bootstrapService, eventStreamOf, eventStreamSpec, loadConfig, runMain } from '@vnet/events';
import { AppModule, SERVICE } from './app.module.js';
import { NetworkManagerConfig } from './config/network-manager.config.js';

runMain(SERVICE, async () => {
  const config = loadConfig(NetworkManagerConfig);
  const own = eventStreamOf(SERVICE);
  await bootstrapService(AppModule.forRoot(config), {
    service: SERVICE,
    title: 'vnet network manager',
    config,
    port: config.NETWORK_MANAGER_PORT,
    consumes: [eventStreamSpec(own), HOST_REPORTS_STREAM_SPEC],
  });
});
