import { Module } from '@nestjs/common';
import { TransportNodesController } from './transport-nodes.controller.js';
import { TransportNodesService } from './transport-nodes.service.js';

@Module({ controllers: [TransportNodesController], providers: [TransportNodesService] })
export class TransportNodesModule {}
