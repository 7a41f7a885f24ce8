import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AS_OF_ERRORS, AsOfQueryDto, IfMatch, notFound, ParseIdPipe } from '@vnet/events';
import {
  CreateLogicalNetworkDto,
  LogicalNetworkDetailView,
  LogicalNetworkView,
  RevertLogicalNetworkDto,
  UpdateLogicalNetworkDto,
} from './dto/logical-network.dto.js';
import { LogicalNetworksService } from './logical-networks.service.js';

const networkId = new ParseIdPipe('logical network');

@ApiTags('logical-networks')
@Controller('logical-networks')
export class LogicalNetworksController {
  constructor(private readonly networks: LogicalNetworksService) {}

  @Post()
  @ApiOperation({ summary: 'Create a logical network in a transport zone' })
  @ApiCreatedResponse({ type: LogicalNetworkView })
  @ApiErrors(notFound('transport zone'), { 409: 'VNI_IN_USE: another logical network has this VNI' })
  create(@Body() body: CreateLogicalNetworkDto): Promise<LogicalNetworkView> {
    return this.networks.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List the logical networks, with where they are realized and their ports' })
  @ApiOkResponse({ type: [LogicalNetworkDetailView] })
  list(): Promise<LogicalNetworkDetailView[]> {
    return this.networks.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a logical network, now or at a point of the log' })
  @ApiOkResponse({ type: LogicalNetworkDetailView })
  @ApiErrors(notFound('logical network'), AS_OF_ERRORS)
  get(@Param('id', networkId) id: string, @Query() query: AsOfQueryDto): Promise<LogicalNetworkDetailView> {
    return this.networks.get(id, query.asOf);
  }

  @Post(':id/revert')
  @HttpCode(200)
  @ApiOperation({ summary: 'Return a logical network to what it was at a position of the log; every host of its zone receives it' })
  @ApiOkResponse({ type: LogicalNetworkDetailView, description: 'as it was at that position, at a new revision (the same revision when nothing differed)' })
  @ApiErrors(notFound('logical network'), { 409: 'NOT_YET_CREATED: the network did not exist yet at that position' })
  revert(@Param('id', networkId) id: string, @Body() body: RevertLogicalNetworkDto): Promise<LogicalNetworkDetailView> {
    return this.networks.revert(id, body.toPosition);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a logical network; every host of its zone receives the new construct' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'the revision the change is based on', schema: { type: 'string', pattern: '^(W/)?"?\\d{1,15}"?$' } })
  @ApiOkResponse({ type: LogicalNetworkDetailView, description: 'changed (revision + 1), or unchanged (same revision) when nothing differs' })
  @ApiErrors(notFound('logical network'), { 409: 'VERSION_CONFLICT: If-Match names a stale revision' })
  update(@Param('id', networkId) id: string, @Body() body: UpdateLogicalNetworkDto, @IfMatch() revision?: number): Promise<LogicalNetworkDetailView> {
    return this.networks.update(id, body, revision);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a logical network, removing it from every host' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors(notFound('logical network'), { 409: 'NETWORK_IN_USE: a host reports a logical port on it' })
  remove(@Param('id', networkId) id: string): Promise<void> {
    return this.networks.remove(id);
  }
}
