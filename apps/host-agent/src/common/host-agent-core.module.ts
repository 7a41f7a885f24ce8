import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConstructCatalog } from '../network-switch/construct-catalog.js';
import { BOOT_ID } from './boot-id.js';
import { CLOCK, systemClock } from './clock.js';
import { HOST_NATS, hostNatsProvider } from './host-nats.js';

/** What every part of the host agent shares (one of each per process): clock, boot id, construct catalog, NATS. */
@Module({
  providers: [
    { provide: CLOCK, useValue: systemClock },
    { provide: BOOT_ID, useFactory: () => randomUUID() },
    ConstructCatalog,
    hostNatsProvider,
  ],
  exports: [CLOCK, BOOT_ID, ConstructCatalog, HOST_NATS],
})
export class HostAgentCoreModule {}
