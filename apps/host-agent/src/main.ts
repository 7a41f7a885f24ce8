import 'reflect-metadata';
import { bootstrapService, loadConfig, runMain } from '@vnet/events';
import { AppModule, SERVICE } from './app.module.js';
import { HostAgentConfig } from './config/host-agent.config.js';
import { singleHostIdentity } from './hosts/host-identity.js';

runMain(SERVICE, async () => {
  // One host (HOST_ID) connects as that host, with its own credentials.
  const config = await singleHostIdentity(loadConfig(HostAgentConfig));
  await bootstrapService(AppModule.forRoot(config), {
    service: SERVICE,
    title: 'vnet host agent',
    config,
    port: config.HOST_AGENT_PORT,
    logFields: config.HOST_ID ? { hostId: config.HOST_ID } : {},
  });
});
