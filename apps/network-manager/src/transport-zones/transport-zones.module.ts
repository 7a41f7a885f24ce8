import { Module } from '@nestjs/common';
import { TransportZonesController } from './transport-zones.controller.js';
import { TransportZonesService } from './transport-zones.service.js';

@Module({ controllers: [TransportZonesController], providers: [TransportZonesService] })
export class TransportZonesModule {}
