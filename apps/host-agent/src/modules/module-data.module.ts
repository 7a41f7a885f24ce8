import { Module } from '@nestjs/common';
import { HostAgentCoreModule } from '../common/host-agent-core.module.js';
import { ModuleDataPublisher } from './module-data.publisher.js';

@Module({ imports: [HostAgentCoreModule], providers: [ModuleDataPublisher], exports: [ModuleDataPublisher] })
export class ModuleDataModule {}
