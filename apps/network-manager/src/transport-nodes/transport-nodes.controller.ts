import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AddTransportNodeDto, type TransportNodeView } from './dto/transport-node.dto.js';
import { TransportNodesService } from './transport-nodes.service.js';

@ApiTags('transport-nodes')
@ApiBearerAuth()
@Controller('transport-nodes')
export class TransportNodesController {
  constructor(private readonly nodes: TransportNodesService) {}

  /** 201 for a new host, 200 for a known one; the zones are added to the host's. */
  @Post()
  async add(@Body() body: AddTransportNodeDto, @Res({ passthrough: true }) res: { status(code: number): void }): Promise<TransportNodeView> {
    const { created, node } = await this.nodes.addZones(body.hostId, body.transportZoneIds);
    res.status(created ? 201 : 200);
    return node;
  }

  @Get()
  list(): Promise<TransportNodeView[]> {
    return this.nodes.list();
  }

  @Get(':hostId')
  get(@Param('hostId') hostId: string): Promise<TransportNodeView> {
    return this.nodes.get(hostId);
  }

  @Delete(':hostId/zones/:zoneId')
  @HttpCode(204)
  removeZone(@Param('hostId') hostId: string, @Param('zoneId', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) zoneId: string): Promise<void> {
    return this.nodes.removeZone(hostId, zoneId);
  }
}
