import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AS_OF_ERRORS, AsOfQueryDto, notFound, ParseIdPipe } from '@vnet/events';
import { CreateTransportZoneDto, TransportZoneView } from './dto/create-transport-zone.dto.js';
import { TransportZonesService } from './transport-zones.service.js';

const zoneId = new ParseIdPipe('transport zone');

@ApiTags('transport-zones')
@Controller('transport-zones')
export class TransportZonesController {
  constructor(private readonly zones: TransportZonesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a transport zone' })
  @ApiCreatedResponse({ type: TransportZoneView })
  create(@Body() body: CreateTransportZoneDto): Promise<TransportZoneView> {
    return this.zones.create(body.name);
  }

  @Get()
  @ApiOperation({ summary: 'List the transport zones' })
  @ApiOkResponse({ type: [TransportZoneView] })
  list(): Promise<TransportZoneView[]> {
    return this.zones.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a transport zone, now or at a point of the log' })
  @ApiOkResponse({ type: TransportZoneView })
  @ApiErrors(notFound('transport zone'), AS_OF_ERRORS)
  get(@Param('id', zoneId) id: string, @Query() query: AsOfQueryDto): Promise<TransportZoneView> {
    return this.zones.get(id, query.asOf);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a transport zone that has no network' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors(notFound('transport zone'), { 409: 'ZONE_IN_USE: the zone still has logical networks' })
  remove(@Param('id', zoneId) id: string): Promise<void> {
    return this.zones.remove(id);
  }
}
