import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConstructCatalog } from '../network-switch/construct-catalog.js';
import { BOOT_ID } from './boot-id.js';
import { CLOCK, systemClock } from './clock.js';

/** What every part of the host agent shares: the clock, this boot's id, the construct catalog. */
@Module({
  providers: [
    { provide: CLOCK, useValue: systemClock },
    { provide: BOOT_ID, useFactory: () => randomUUID() },
    ConstructCatalog,
  ],
  exports: [CLOCK, BOOT_ID, ConstructCatalog],
})
export class HostAgentCoreModule {}
