import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { IfMatch } from '@vnet/events';
import { AddSwitchHostDto, CreatePortGroupDto, CreateSwitchDto, RollbackQueryDto, SwitchQueryDto, UpdatePortGroupDto } from './dto/switch.dto.js';
import { SwitchesService, type SwitchView } from './switches.service.js';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('switches')
@ApiBearerAuth()
@Controller('switches')
export class SwitchesController {
  constructor(private readonly switches: SwitchesService) {}

  @Post()
  create(@Body() body: CreateSwitchDto): Promise<SwitchView & { taskId: string }> {
    return this.switches.create(body);
  }

  @Get()
  list(): Promise<SwitchView[]> {
    return this.switches.list();
  }

  @Get(':id')
  get(@Param('id', uuid) id: string, @Query() query: SwitchQueryDto): Promise<SwitchView> {
    return this.switches.get(id, query.asOf);
  }

  @Post(':id/hosts')
  @HttpCode(202)
  addHost(@Param('id', uuid) id: string, @Body() body: AddSwitchHostDto): Promise<{ taskId: string }> {
    return this.switches.addHost(id, body.hostId);
  }

  @Post(':id/port-groups')
  @HttpCode(202)
  addPortGroup(@Param('id', uuid) id: string, @Body() body: CreatePortGroupDto): Promise<{ taskId: string; portGroupId: string }> {
    return this.switches.addPortGroup(id, body);
  }

  /** 202 with the task of the push; a PATCH that changes nothing answers 200 with the same revision. */
  @Patch(':id/port-groups/:pgId')
  @ApiHeader({ name: 'If-Match', required: false, description: 'the switch revision the change is based on' })
  async updatePortGroup(
    @Param('id', uuid) id: string,
    @Param('pgId', uuid) pgId: string,
    @Body() body: UpdatePortGroupDto,
    @Query() query: RollbackQueryDto,
    @Res({ passthrough: true }) res: { status(code: number): void },
    @IfMatch() revision?: number,
  ): Promise<{ taskId: string; revision: number }> {
    const { taskId, revision: now, changed } = await this.switches.updatePortGroup(id, pgId, body, query.rollback !== 'false', revision);
    res.status(changed ? 202 : 200);
    return { taskId, revision: now };
  }
}
