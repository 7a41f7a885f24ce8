import 'reflect-metadata';
import { bootstrapService, loadConfig, runMain } from '@vnet/events';
import { AppModule, SERVICE } from './app.module.js';
import { NetworkManagerConfig } from './config/network-manager.config.js';

runMain(SERVICE, async () => {
  const config = loadConfig(NetworkManagerConfig);
  await bootstrapService(AppModule.forRoot(config), {
    service: SERVICE,
    title: 'vnet network manager',
    config,
    port: config.NETWORK_MANAGER_PORT,
  });
});
