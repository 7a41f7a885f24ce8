import { Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, notFound } from '@vnet/events';
import { LogicalNetworkConstructView } from './dto/construct.view.js';
import { HostsService } from './hosts.service.js';

const READ_ONLY = { 405: 'READ_ONLY_CONSTRUCT: the construct belongs to the network manager' };

/** The read-only constructs a host holds. Reads only: every write is 405 READ_ONLY_CONSTRUCT. */
@ApiTags('hosts')
@Controller('hosts/:hostId/logical-networks')
export class HostLogicalNetworksController {
  constructor(private readonly hosts: HostsService) {}

  @Get()
  @ApiOperation({ summary: 'List the read-only constructs a host holds' })
  @ApiOkResponse({ type: [LogicalNetworkConstructView] })
  @ApiErrors(notFound('host'))
  list(@Param('hostId') hostId: string): LogicalNetworkConstructView[] {
    return this.hosts.logicalNetworks(hostId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a construct a host holds' })
  @ApiOkResponse({ type: LogicalNetworkConstructView })
  @ApiErrors(notFound('host', 'logical network on that host'))
  get(@Param('hostId') hostId: string, @Param('id') id: string): LogicalNetworkConstructView {
    return this.hosts.logicalNetwork(hostId, id);
  }

  @Post()
  @ApiOperation({ summary: 'Refused: constructs are read-only' })
  @ApiErrors(notFound('host'), READ_ONLY)
  create(@Param('hostId') hostId: string): never {
    return this.hosts.refuseConstructWrite(hostId);
  }

  @Post(':id')
  @ApiOperation({ summary: 'Refused: a construct is read-only' })
  @ApiErrors(notFound('host'), READ_ONLY)
  post(@Param('hostId') hostId: string, @Param('id') id: string): never {
    return this.hosts.refuseConstructWrite(hostId, id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Refused: a construct is read-only' })
  @ApiErrors(notFound('host'), READ_ONLY)
  replace(@Param('hostId') hostId: string, @Param('id') id: string): never {
    return this.hosts.refuseConstructWrite(hostId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Refused: a construct is read-only' })
  @ApiErrors(notFound('host'), READ_ONLY)
  update(@Param('hostId') hostId: string, @Param('id') id: string): never {
    return this.hosts.refuseConstructWrite(hostId, id);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Refused: a construct is read-only' })
  @ApiErrors(notFound('host'), READ_ONLY)
  remove(@Param('hostId') hostId: string, @Param('id') id: string): never {
    return this.hosts.refuseConstructWrite(hostId, id);
  }
}
