import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AddHostDto, type HostView } from './dto/host.dto.js';
import { HostsService } from './hosts.service.js';

@ApiTags('hosts')
@ApiBearerAuth()
@Controller('hosts')
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

  /** 201 for a host new to the inventory, 200 for one already in it. */
  @Post()
  async add(@Body() body: AddHostDto, @Res({ passthrough: true }) res: { status(code: number): void }): Promise<HostView> {
    const { created, host } = await this.hosts.add(body.hostId);
    res.status(created ? 201 : 200);
    return host;
  }

  @Get()
  list(): Promise<HostView[]> {
    return this.hosts.list();
  }

  @Get(':hostId')
  get(@Param('hostId') hostId: string): Promise<HostView> {
    return this.hosts.get(hostId);
  }
}
