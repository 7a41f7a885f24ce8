import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AS_OF_ERRORS, AsOfQueryDto, IfMatch, notFound, ParseIdPipe } from '@vnet/events';
import { AddSwitchHostDto, CreatePortGroupDto, CreateSwitchDto, RevertSwitchDto, RollbackQueryDto, UpdatePortGroupDto } from './dto/switch.dto.js';
import { PortGroupAcceptedView, PortGroupUpdatedView, SwitchCreatedView, SwitchRevertedView, SwitchView, TaskAcceptedView } from './dto/switch.view.js';
import { SwitchesService } from './switches.service.js';

const switchId = new ParseIdPipe('switch');
const UNKNOWN_HOSTS = { 404: 'NOT_FOUND: a host id is not a host known to the compute manager (`hostIds` names them)' };
const POLICY = { 400: 'VALIDATION_FAILED: an inconsistent shaping policy (`fields` names it)' };

@ApiTags('switches')
@Controller('switches')
export class SwitchesController {
  constructor(private readonly switches: SwitchesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a distributed switch and push it to its hosts' })
  @ApiCreatedResponse({ type: SwitchCreatedView })
  @ApiErrors(UNKNOWN_HOSTS)
  create(@Body() body: CreateSwitchDto): Promise<SwitchCreatedView> {
    return this.switches.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List the switches' })
  @ApiOkResponse({ type: [SwitchView] })
  list(): Promise<SwitchView[]> {
    return this.switches.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a switch, now or at a point of the log' })
  @ApiOkResponse({ type: SwitchView })
  @ApiErrors(notFound('switch'), AS_OF_ERRORS)
  get(@Param('id', switchId) id: string, @Query() query: AsOfQueryDto): Promise<SwitchView> {
    return this.switches.get(id, query.asOf);
  }

  @Post(':id/hosts')
  @HttpCode(202)
  @ApiOperation({ summary: "Add a host to a switch; it converges to the switch's state" })
  @ApiAcceptedResponse({ type: TaskAcceptedView })
  @ApiErrors(notFound('switch'), UNKNOWN_HOSTS)
  addHost(@Param('id', switchId) id: string, @Body() body: AddSwitchHostDto): Promise<TaskAcceptedView> {
    return this.switches.addHost(id, body.hostId);
  }

  @Post(':id/port-groups')
  @HttpCode(202)
  @ApiOperation({ summary: 'Add a port group and push the switch to its hosts' })
  @ApiAcceptedResponse({ type: PortGroupAcceptedView })
  @ApiErrors(POLICY, notFound('switch'))
  addPortGroup(@Param('id', switchId) id: string, @Body() body: CreatePortGroupDto): Promise<PortGroupAcceptedView> {
    return this.switches.addPortGroup(id, body);
  }

  /** 202 with the task of the push; a PATCH that changes nothing answers 200 with the same revision. */
  @Patch(':id/port-groups/:pgId')
  @ApiOperation({ summary: "Change a port group's VLAN or policy; the final state is pushed to every host in parallel" })
  @ApiHeader({ name: 'If-Match', required: false, description: 'the switch revision the change is based on', schema: { type: 'string', pattern: '^(W/)?"?\\d{1,15}"?$' } })
  @ApiAcceptedResponse({ type: PortGroupUpdatedView, description: 'changed: the task of the push, and the new revision' })
  @ApiOkResponse({ type: PortGroupUpdatedView, description: 'nothing changed: the same revision' })
  @ApiErrors(POLICY, notFound('switch', 'port group'), { 409: 'VERSION_CONFLICT: If-Match names a stale revision' })
  async updatePortGroup(
    @Param('id', switchId) id: string,
    @Param('pgId') pgId: string,
    @Body() body: UpdatePortGroupDto,
    @Query() query: RollbackQueryDto,
    @Res({ passthrough: true }) res: { status(code: number): void },
    @IfMatch() revision?: number,
  ): Promise<PortGroupUpdatedView> {
    const { taskId, revision: now, changed } = await this.switches.updatePortGroup(id, pgId, body, query.rollback !== 'false', revision);
    res.status(changed ? 202 : 200);
    return { taskId, revision: now };
  }

  /** 202 with the task of the push; a revert to the state the switch already has records nothing and answers 200. */
  @Post(':id/revert')
  @ApiOperation({ summary: 'Return a switch to its state at a position of the log: new events, the history kept, the state pushed' })
  @ApiAcceptedResponse({ type: SwitchRevertedView, description: 'reverted: the task of the push, and the new revision' })
  @ApiOkResponse({ type: SwitchRevertedView, description: 'the switch already has that state: nothing recorded, a done task, the same revision' })
  @ApiErrors(notFound('switch'), { 409: 'NOT_YET_CREATED: the switch did not exist yet at that position' })
  async revert(
    @Param('id', switchId) id: string,
    @Body() body: RevertSwitchDto,
    @Res({ passthrough: true }) res: { status(code: number): void },
  ): Promise<SwitchRevertedView> {
    const { taskId, revision, changed } = await this.switches.revert(id, body.toPosition);
    res.status(changed ? 202 : 200);
    return { taskId, revision };
  }
}
