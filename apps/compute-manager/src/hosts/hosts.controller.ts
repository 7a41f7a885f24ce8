import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, notFound } from '@vnet/events';
import { AddHostDto, HostView } from './dto/host.dto.js';
import { HostsService } from './hosts.service.js';

@ApiTags('hosts')
@Controller('hosts')
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

  /** 201 for a host new to the inventory, 200 for one already in it. */
  @Post()
  @ApiOperation({ summary: 'Add a host to the inventory' })
  @ApiCreatedResponse({ type: HostView, description: 'a host new to the inventory' })
  @ApiOkResponse({ type: HostView, description: 'a host already in it' })
  async add(@Body() body: AddHostDto, @Res({ passthrough: true }) res: { status(code: number): void }): Promise<HostView> {
    const { created, host } = await this.hosts.add(body.hostId);
    res.status(created ? 201 : 200);
    return host;
  }

  @Get()
  @ApiOperation({ summary: 'List the hosts, with their liveness and the constructs obtained from each' })
  @ApiOkResponse({ type: [HostView] })
  list(): Promise<HostView[]> {
    return this.hosts.list();
  }

  @Get(':hostId')
  @ApiOperation({ summary: 'Read a host' })
  @ApiOkResponse({ type: HostView })
  @ApiErrors(notFound('host'))
  get(@Param('hostId') hostId: string): Promise<HostView> {
    return this.hosts.get(hostId);
  }
}
