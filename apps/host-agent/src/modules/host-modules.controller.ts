import { applyDecorators, Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { OPAQUE_NAMESPACE_MAX_LENGTH, OPAQUE_NAMESPACE_PATTERN } from '@vnet/contracts';
import { ApiErrors, notFound } from '@vnet/events';
import {
  ModuleDataAcceptedView,
  ModuleDataEntryView,
  ModuleParamsDto,
  ModuleRegistrationView,
  PostModuleDataDto,
  RegisterModuleDto,
} from './dto/module.dto.js';
import { HostModulesService } from './host-modules.service.js';
import { moduleDataBodyOf } from './module-data.body.js';

interface JsonResponse {
  status(code: number): unknown;
  type(type: string): void;
}
interface RawBodyRequest {
  rawBody?: Buffer;
}

const NAMESPACE_PARAM = applyDecorators(
  ApiParam({ name: 'hostId', example: 'host-1' }),
  ApiParam({ name: 'namespace', schema: { type: 'string', pattern: OPAQUE_NAMESPACE_PATTERN.source, maxLength: OPAQUE_NAMESPACE_MAX_LENGTH } }),
);
const BAD_NAMESPACE = { 400: 'VALIDATION_FAILED: a namespace that is not a dotted name' };
const NOT_REGISTERED = { 404: 'MODULE_NOT_REGISTERED: no module registered this namespace on this host' };

/** The host modules' side of the opaque pass-through channel (CONTRACT §4, §6.7). */
@ApiTags('host modules')
@Controller('hosts/:hostId/modules')
export class HostModulesController {
  constructor(private readonly modules: HostModulesService) {}

  /** 201 for a namespace new to the host, 200 when it was registered already (as `POST /hosts`). */
  @Post()
  @ApiOperation({ summary: 'A host module registers its namespace on the host' })
  @ApiCreatedResponse({ type: ModuleRegistrationView, description: 'registered now' })
  @ApiOkResponse({ type: ModuleRegistrationView, description: 'registered already: nothing changes' })
  @ApiErrors(notFound('host'))
  async register(
    @Param('hostId') hostId: string,
    @Body() body: RegisterModuleDto,
    @Res({ passthrough: true }) res: JsonResponse,
  ): Promise<ModuleRegistrationView> {
    const { created, view } = await this.modules.register(hostId, body.namespace);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return view;
  }

  @Get(':namespace/data')
  @ApiOperation({ summary: "The effective opaque data of a namespace on the host: its switches', port groups', ports' and its own, inherited switch → port group → port" })
  @ApiOkResponse({ type: [ModuleDataEntryView], description: 'one entry per entity and key; each value the same text the extension sent' })
  @NAMESPACE_PARAM
  @ApiErrors(BAD_NAMESPACE, notFound('host'), NOT_REGISTERED)
  data(@Param() params: ModuleParamsDto, @Res({ passthrough: true }) res: JsonResponse): string {
    res.type('application/json');
    return this.modules.data(params.hostId, params.namespace);
  }

  /** 202: kept on the host's disk and delivered through its management link, once it flows. */
  @Post(':namespace/data')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'A host module sends data up to the compute manager: accepted, and delivered once (when the management link flows)' })
  @ApiBody({ type: PostModuleDataDto })
  @ApiAcceptedResponse({ type: ModuleDataAcceptedView, description: 'accepted: kept by the host until the compute manager has it' })
  @NAMESPACE_PARAM
  @ApiErrors(
    BAD_NAMESPACE,
    { 400: 'VALIDATION_FAILED: a bad entity type or id, key, or a body other than {entity, key, value} (`fields` names them)' },
    notFound('host'),
    NOT_REGISTERED,
    { 413: 'PAYLOAD_TOO_LARGE: the value is larger than 64 KiB' },
    { 503: 'MODULE_OUTBOX_FULL: the host already keeps as many undelivered messages as it may; not accepted' },
  )
  send(@Param() params: ModuleParamsDto, @Req() req: RawBodyRequest): Promise<ModuleDataAcceptedView> {
    const body = moduleDataBodyOf(req.rawBody?.toString('utf8'));
    return this.modules.send(params.hostId, params.namespace, body);
  }
}
