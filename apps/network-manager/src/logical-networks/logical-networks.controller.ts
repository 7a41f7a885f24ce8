import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { IfMatch } from '@vnet/events';
import {
  CreateLogicalNetworkDto,
  type LogicalNetworkDetailView,
  type LogicalNetworkView,
  UpdateLogicalNetworkDto,
} from './dto/logical-network.dto.js';
import { LogicalNetworksService } from './logical-networks.service.js';

const networkId = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('logical-networks')
@ApiBearerAuth()
@Controller('logical-networks')
export class LogicalNetworksController {
  constructor(private readonly networks: LogicalNetworksService) {}

  @Post()
  create(@Body() body: CreateLogicalNetworkDto): Promise<LogicalNetworkView> {
    return this.networks.create(body);
  }

  @Get()
  list(): Promise<LogicalNetworkDetailView[]> {
    return this.networks.list();
  }

  @Get(':id')
  get(@Param('id', networkId) id: string): Promise<LogicalNetworkDetailView> {
    return this.networks.get(id);
  }

  @Patch(':id')
  @ApiHeader({ name: 'If-Match', required: false, description: 'the revision the change is based on' })
  update(@Param('id', networkId) id: string, @Body() body: UpdateLogicalNetworkDto, @IfMatch() revision?: number): Promise<LogicalNetworkDetailView> {
    return this.networks.update(id, body, revision);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', networkId) id: string): Promise<void> {
    return this.networks.remove(id);
  }
}
