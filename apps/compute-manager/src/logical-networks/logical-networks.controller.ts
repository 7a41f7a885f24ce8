import { All, Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { LearnedNetworkView } from './logical-networks.service.js';
import { LogicalNetworksService } from './logical-networks.service.js';
import { ReadOnlyConstructError } from './read-only-construct.error.js';

/** What the compute manager obtained from its hosts. It never asks the network manager. */
@ApiTags('logical-networks')
@ApiBearerAuth()
@Controller('logical-networks')
export class LogicalNetworksController {
  constructor(private readonly networks: LogicalNetworksService) {}

  @Get()
  list(): Promise<LearnedNetworkView[]> {
    return this.networks.list();
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<LearnedNetworkView> {
    return this.networks.get(id);
  }

  @All()
  writeCollection(): never {
    throw new ReadOnlyConstructError();
  }

  @All(':id')
  write(): never {
    throw new ReadOnlyConstructError();
  }
}
