import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CreateTransportZoneDto, type TransportZoneView } from './dto/create-transport-zone.dto.js';
import { TransportZonesService } from './transport-zones.service.js';

@ApiTags('transport-zones')
@ApiBearerAuth()
@Controller('transport-zones')
export class TransportZonesController {
  constructor(private readonly zones: TransportZonesService) {}

  @Post()
  create(@Body() body: CreateTransportZoneDto): Promise<TransportZoneView> {
    return this.zones.create(body.name);
  }

  @Get()
  list(): Promise<TransportZoneView[]> {
    return this.zones.list();
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string): Promise<TransportZoneView> {
    return this.zones.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string): Promise<void> {
    return this.zones.remove(id);
  }
}
