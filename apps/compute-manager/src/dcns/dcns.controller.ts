import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AS_OF_ERRORS, AsOfQueryDto, notFound, ParseIdPipe } from '@vnet/events';
import { DcnMigrationService } from './dcn-migration.service.js';
import { DcnsService } from './dcns.service.js';
import { AttachNicDto, CreateDcnDto, DcnView, MigrateDcnDto, NicAttachedView } from './dto/dcn.dto.js';

const dcnId = new ParseIdPipe('DCN');

@ApiTags('dcns')
@Controller('dcns')
export class DcnsController {
  constructor(
    private readonly dcns: DcnsService,
    private readonly migrations: DcnMigrationService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a DCN on a host' })
  @ApiCreatedResponse({ type: DcnView })
  @ApiErrors(notFound('host'))
  create(@Body() body: CreateDcnDto): Promise<DcnView> {
    return this.dcns.create(body.name, body.hostId);
  }

  @Get()
  @ApiOperation({ summary: 'List the DCNs' })
  @ApiOkResponse({ type: [DcnView] })
  list(): Promise<DcnView[]> {
    return this.dcns.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a DCN, now or at a point of the log' })
  @ApiOkResponse({ type: DcnView })
  @ApiErrors(notFound('DCN'), AS_OF_ERRORS)
  get(@Param('id', dcnId) id: string, @Query() query: AsOfQueryDto): Promise<DcnView> {
    return this.dcns.get(id, query.asOf);
  }

  @Post(':id/nics')
  @ApiOperation({ summary: "Attach a NIC to a logical network or a port group held by the DCN's host" })
  @ApiCreatedResponse({ type: NicAttachedView })
  @ApiErrors(notFound('DCN', 'port group'), {
    409: "NETWORK_NOT_ON_HOST: the DCN's host does not hold that construct, or is not a member of that port group's switch; MIGRATION_IN_PROGRESS: the DCN is migrating",
  })
  attachNic(@Param('id', dcnId) id: string, @Body() body: AttachNicDto): Promise<NicAttachedView> {
    return this.dcns.attachNic(id, body);
  }

  @Post(':id/migrate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a DCN to another host: the target realizes its ports, then the source removes its own' })
  @ApiOkResponse({ type: DcnView, description: 'the DCN on its new host' })
  @ApiErrors(notFound('DCN', 'target host'), {
    400: 'VALIDATION_FAILED: the target is already the DCN\'s host',
    409: 'NETWORK_NOT_ON_TARGET: the target lacks networks of the DCN (`missing` names them), and nothing moved; MIGRATION_IN_PROGRESS: the DCN is already migrating',
    504: 'HOST_TIMEOUT: the target did not answer in time, and nothing moved',
  })
  migrate(@Param('id', dcnId) id: string, @Body() body: MigrateDcnDto): Promise<DcnView> {
    return this.migrations.migrate(id, body.targetHostId);
  }
}
