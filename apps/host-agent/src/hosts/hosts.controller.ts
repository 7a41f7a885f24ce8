import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, notFound } from '@vnet/events';
import { JOURNAL_CAPACITY } from '../audit/host-journal.js';
import { AddHostDto } from './dto/add-host.dto.js';
import { DcnConnecteeView, ManagementConnecteeView } from './dto/compute-switch.view.js';
import { HostEventPage, HostEventsQuery } from './dto/host-events.dto.js';
import { ManagementRestoreDto, ManagementRestoreView } from './dto/management-restore.dto.js';
import { UplinkDto, UplinkView } from './dto/uplink.dto.js';
import { HostSummary, HostView } from './host.view.js';
import { HostsService } from './hosts.service.js';

interface StatusResponse {
  status(code: number): unknown;
}

@ApiTags('hosts')
@ApiExtraModels(DcnConnecteeView, ManagementConnecteeView)
@Controller('hosts')
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

  @Get()
  @ApiOperation({ summary: 'List the simulated hosts this agent serves' })
  @ApiOkResponse({ type: [HostSummary] })
  list(): HostSummary[] {
    return this.hosts.list();
  }

  /** 201 for a new host, 200 for one already served. */
  @Post()
  @ApiOperation({ summary: 'Add a simulated host' })
  @ApiCreatedResponse({ type: HostView, description: 'a new host' })
  @ApiOkResponse({ type: HostView, description: 'a host already served' })
  @ApiErrors({ 409: 'SINGLE_HOST_AGENT: this agent serves only its HOST_ID' })
  async add(@Body() body: AddHostDto, @Res({ passthrough: true }) res: StatusResponse): Promise<HostView> {
    const { created, view } = await this.hosts.add(body.hostId);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return view;
  }

  @Get(':hostId')
  @ApiOperation({ summary: 'Read a host: its compute switches, network switch, uplink and pending rollback' })
  @ApiOkResponse({ type: HostView })
  @ApiErrors(notFound('host'))
  get(@Param('hostId') hostId: string): HostView {
    return this.hosts.get(hostId);
  }

  /** The host's own journal (CONTRACT §4): what it ran, to compare with what the managers asked. */
  @Get(':hostId/events')
  @ApiOperation({
    summary: "Read the host's own journal: what it applied, rolled back and repaired, a page at a time",
    description:
      "Kept in the host's local store, each entry written with the change it describes: it survives restarts and compaction. " +
      `A host keeps its newest ${JOURNAL_CAPACITY} entries; positions go on growing, and an \`after\` older than the oldest kept starts there.`,
  })
  @ApiOkResponse({ type: HostEventPage })
  @ApiErrors(notFound('host'))
  events(@Param('hostId') hostId: string, @Query() query: HostEventsQuery): HostEventPage {
    return this.hosts.events(hostId, query.after, query.limit);
  }

  @Put(':hostId/uplink')
  @ApiOperation({ summary: "Set the VLANs the host's simulated physical switch port lets through" })
  @ApiOkResponse({ type: UplinkView })
  @ApiErrors(notFound('host'))
  setUplink(@Param('hostId') hostId: string, @Body() body: UplinkDto): Promise<UplinkView> {
    return this.hosts.setUplink(hostId, body.allowedVlans);
  }

  /** The local console's repair (CONTRACT §6.5): 202, the clone carries management from now on. */
  @Post(':hostId/management/restore')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: "The local console's repair: clone the management port on a working VLAN and move management onto the clone" })
  @ApiAcceptedResponse({ type: ManagementRestoreView })
  @ApiErrors(notFound('host'), { 409: 'MANAGEMENT_NOT_ON_SWITCH: the management port is not on a switch (it sits untagged)' })
  restoreManagement(@Param('hostId') hostId: string, @Body() body: ManagementRestoreDto): Promise<ManagementRestoreView> {
    return this.hosts.restoreManagement(hostId, body.vlanId);
  }
}
