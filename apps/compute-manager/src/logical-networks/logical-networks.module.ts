import { Module } from '@nestjs/common';
import { LogicalNetworksController } from './logical-networks.controller.js';
import { LogicalNetworksService } from './logical-networks.service.js';

@Module({ controllers: [LogicalNetworksController], providers: [LogicalNetworksService], exports: [LogicalNetworksService] })
export class LogicalNetworksModule {}
