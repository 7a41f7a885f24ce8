import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, notFound, ParseIdPipe } from '@vnet/events';
import { AddTransportNodeDto, TransportNodeView } from './dto/transport-node.dto.js';
import { TransportNodesService } from './transport-nodes.service.js';

@ApiTags('transport-nodes')
@Controller('transport-nodes')
export class TransportNodesController {
  constructor(private readonly nodes: TransportNodesService) {}

  /** 201 for a new host, 200 for a known one; the zones are added to the host's. */
  @Post()
  @ApiOperation({ summary: "Add transport zones to a host's zones (the host is created when new)" })
  @ApiCreatedResponse({ type: TransportNodeView, description: 'a host new to the manager' })
  @ApiOkResponse({ type: TransportNodeView, description: 'a host already known: the zones were added to its own' })
  @ApiErrors(notFound('transport zone'))
  async add(@Body() body: AddTransportNodeDto, @Res({ passthrough: true }) res: { status(code: number): void }): Promise<TransportNodeView> {
    const { created, node } = await this.nodes.addZones(body.hostId, body.transportZoneIds);
    res.status(created ? 201 : 200);
    return node;
  }

  @Get()
  @ApiOperation({ summary: 'List the transport nodes' })
  @ApiOkResponse({ type: [TransportNodeView] })
  list(): Promise<TransportNodeView[]> {
    return this.nodes.list();
  }

  @Get(':hostId')
  @ApiOperation({ summary: 'Read a transport node' })
  @ApiOkResponse({ type: TransportNodeView })
  @ApiErrors(notFound('transport node'))
  get(@Param('hostId') hostId: string): Promise<TransportNodeView> {
    return this.nodes.get(hostId);
  }

  @Delete(':hostId/zones/:zoneId')
  @HttpCode(204)
  @ApiOperation({ summary: "Remove a zone from a host's zones, and its constructs from the host" })
  @ApiNoContentResponse({ description: 'removed' })
  @ApiErrors(notFound('transport node', 'transport zone of that node'), { 409: 'NETWORK_IN_USE: the host has a logical port on a network of that zone' })
  removeZone(@Param('hostId') hostId: string, @Param('zoneId', new ParseIdPipe('transport zone')) zoneId: string): Promise<void> {
    return this.nodes.removeZone(hostId, zoneId);
  }
}
