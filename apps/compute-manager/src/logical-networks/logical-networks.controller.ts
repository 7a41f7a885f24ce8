import { Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, notFound } from '@vnet/events';
import { LearnedNetworkView } from './dto/learned-network.view.js';
import { LogicalNetworksService } from './logical-networks.service.js';
import { ReadOnlyConstructError } from './read-only-construct.error.js';

const READ_ONLY = { 405: 'READ_ONLY_CONSTRUCT: logical networks belong to the network manager' };

/** What the compute manager obtained from its hosts. It never asks the network manager. Writes: 405. */
@ApiTags('logical-networks')
@Controller('logical-networks')
export class LogicalNetworksController {
  constructor(private readonly networks: LogicalNetworksService) {}

  @Get()
  @ApiOperation({ summary: 'List the logical networks obtained from the hosts' })
  @ApiOkResponse({ type: [LearnedNetworkView] })
  list(): Promise<LearnedNetworkView[]> {
    return this.networks.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a logical network obtained from the hosts' })
  @ApiOkResponse({ type: LearnedNetworkView })
  @ApiErrors(notFound('logical network'))
  get(@Param('id') id: string): Promise<LearnedNetworkView> {
    return this.networks.get(id);
  }

  @Post()
  @ApiOperation({ summary: 'Refused: logical networks are read-only here' })
  @ApiErrors(READ_ONLY)
  create(): never {
    throw new ReadOnlyConstructError();
  }

  @Put()
  @ApiOperation({ summary: 'Refused: logical networks are read-only here' })
  @ApiErrors(READ_ONLY)
  replaceAll(): never {
    throw new ReadOnlyConstructError();
  }

  @Patch()
  @ApiOperation({ summary: 'Refused: logical networks are read-only here' })
  @ApiErrors(READ_ONLY)
  updateAll(): never {
    throw new ReadOnlyConstructError();
  }

  @Delete()
  @ApiOperation({ summary: 'Refused: logical networks are read-only here' })
  @ApiErrors(READ_ONLY)
  removeAll(): never {
    throw new ReadOnlyConstructError();
  }

  @Post(':id')
  @ApiOperation({ summary: 'Refused: a logical network is read-only here' })
  @ApiErrors(READ_ONLY)
  post(@Param('id') _id: string): never {
    throw new ReadOnlyConstructError();
  }

  @Put(':id')
  @ApiOperation({ summary: 'Refused: a logical network is read-only here' })
  @ApiErrors(READ_ONLY)
  replace(@Param('id') _id: string): never {
    throw new ReadOnlyConstructError();
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Refused: a logical network is read-only here' })
  @ApiErrors(READ_ONLY)
  update(@Param('id') _id: string): never {
    throw new ReadOnlyConstructError();
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Refused: a logical network is read-only here' })
  @ApiErrors(READ_ONLY)
  remove(@Param('id') _id: string): never {
    throw new ReadOnlyConstructError();
  }
}
