import { Module } from '@nestjs/common';
import { HostRealizationHandlers } from './host-realization.handlers.js';
import { HostRealizationService } from './host-realization.service.js';

@Module({ controllers: [HostRealizationHandlers], providers: [HostRealizationService] })
export class RealizationModule {}
