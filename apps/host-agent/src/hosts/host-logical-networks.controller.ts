import { Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiMethodNotAllowedResponse, ApiTags } from '@nestjs/swagger';
import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { HostsService } from './hosts.service.js';

const READ_ONLY = 'read-only construct: it belongs to the network manager';

/** The read-only constructs a host holds. Reads only: every write is 405 READ_ONLY_CONSTRUCT. */
@ApiTags('hosts')
@ApiBearerAuth()
@Controller('hosts/:hostId/logical-networks')
export class HostLogicalNetworksController {
  constructor(private readonly hosts: HostsService) {}

  @Get()
  list(@Param('hostId') hostId: string): LogicalNetworkConstruct[] {
    return this.hosts.logicalNetworks(hostId);
  }

  @Get(':id')
  get(@Param('hostId') hostId: string, @Param('id') id: string): LogicalNetworkConstruct {
    return this.hosts.logicalNetwork(hostId, id);
  }

  @Post()
  @ApiMethodNotAllowedResponse({ description: READ_ONLY })
  create(@Param('hostId') hostId: string): never {
    return this.hosts.refuseConstructWrite(hostId);
  }

  @Post(':id')
  @ApiMethodNotAllowedResponse({ description: READ_ONLY })
  post(@Param('hostId') hostId: string, @Param('id') id: string): never {
    return this.hosts.refuseConstructWrite(hostId, id);
  }

  @Put(':id')
  @ApiMethodNotAllowedResponse({ description: READ_ONLY })
  replace(@Param('hostId') hostId: string, @Param('id') id: string): never {
    return this.hosts.refuseConstructWrite(hostId, id);
  }

  @Patch(':id')
  @ApiMethodNotAllowedResponse({ description: READ_ONLY })
  update(@Param('hostId') hostId: string, @Param('id') id: string): never {
    return this.hosts.refuseConstructWrite(hostId, id);
  }

  @Delete(':id')
  @ApiMethodNotAllowedResponse({ description: READ_ONLY })
  remove(@Param('hostId') hostId: string, @Param('id') id: string): never {
    return this.hosts.refuseConstructWrite(hostId, id);
  }
}
