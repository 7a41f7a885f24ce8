import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AddHostDto } from './dto/add-host.dto.js';
import { ManagementRestoreDto, type ManagementRestoreView } from './dto/management-restore.dto.js';
import { UplinkDto, type UplinkView } from './dto/uplink.dto.js';
import type { HostSummary, HostView } from './host.view.js';
import { HostsService } from './hosts.service.js';

interface StatusResponse {
  status(code: number): unknown;
}

@ApiTags('hosts')
@ApiBearerAuth()
@Controller('hosts')
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

  @Get()
  list(): HostSummary[] {
    return this.hosts.list();
  }

  /** 201 for a new host, 200 for one already served. */
  @Post()
  async add(@Body() body: AddHostDto, @Res({ passthrough: true }) res: StatusResponse): Promise<HostView> {
    const { created, view } = await this.hosts.add(body.hostId);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return view;
  }

  @Get(':hostId')
  get(@Param('hostId') hostId: string): HostView {
    return this.hosts.get(hostId);
  }

  @Put(':hostId/uplink')
  setUplink(@Param('hostId') hostId: string, @Body() body: UplinkDto): Promise<UplinkView> {
    return this.hosts.setUplink(hostId, body.allowedVlans);
  }

  /** The local console's repair (CONTRACT §6.5): 202, the clone carries management from now on. */
  @Post(':hostId/management/restore')
  @HttpCode(HttpStatus.ACCEPTED)
  restoreManagement(@Param('hostId') hostId: string, @Body() body: ManagementRestoreDto): Promise<ManagementRestoreView> {
    return this.hosts.restoreManagement(hostId, body.vlanId);
  }
}
