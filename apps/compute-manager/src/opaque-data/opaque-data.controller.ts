import { applyDecorators, Controller, Delete, Get, Headers, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { OPAQUE_ENTITY_TYPES, OPAQUE_KEY_PATTERN, OPAQUE_NAMESPACE_PATTERN } from '@vnet/contracts';
import { ApiErrors } from '@vnet/events';
import { PutOpaqueValueDto, OpaqueEntityParamsDto, OpaqueEntryView, OpaqueEntryWrittenView, OpaqueKeyParamsDto, OpaqueQueryDto } from './dto/opaque-data.dto.js';
import { OpaqueDataService } from './opaque-data.service.js';
import { opaqueValueOf } from './opaque-value.js';

interface JsonText {
  type(type: string): void;
}
interface RawBodyRequest {
  rawBody?: Buffer;
}

const ENTITY_PARAMS = [
  ApiParam({ name: 'entityType', enum: OPAQUE_ENTITY_TYPES }),
  ApiParam({ name: 'entityId', description: "a switch's, port group's, port's (a DCN NIC's `portId`) or host's id" }),
];
const PARAMS = applyDecorators(...ENTITY_PARAMS);
const KEY_PARAMS = applyDecorators(
  ...ENTITY_PARAMS,
  ApiParam({ name: 'namespace', schema: { type: 'string', pattern: OPAQUE_NAMESPACE_PATTERN.source, maxLength: 128 } }),
  ApiParam({ name: 'key', schema: { type: 'string', pattern: OPAQUE_KEY_PATTERN.source } }),
);
const EXTENSION_KEY = ApiHeader({ name: 'X-Extension-Key', required: true, description: 'the key of the extension that owns the namespace' });
const WRITE_ERRORS = ApiErrors(
  { 400: 'VALIDATION_FAILED: a bad entityType, namespace or key, or a body other than {"value": …} (`fields` names them)' },
  { 403: 'EXTENSION_KEY_INVALID: X-Extension-Key is missing, unknown, or not the owner of the namespace (an unregistered namespace has no owner)' },
  { 404: 'NOT_FOUND: no such switch, port group, port or host' },
);

/** The opaque pass-through channel: values are raw JSON text in and out, never parsed into numbers. */
@ApiTags('opaque-data')
@Controller('opaque-data')
export class OpaqueDataController {
  constructor(private readonly opaque: OpaqueDataService) {}

  @Put(':entityType/:entityId/:namespace/:key')
  @ApiOperation({ summary: "Set an extension's entry on an entity; a switch's or port group's is pushed as a new revision of the switch" })
  @ApiBody({ type: PutOpaqueValueDto })
  @ApiOkResponse({ type: OpaqueEntryWrittenView, description: 'the entry, its value as the same text' })
  @KEY_PARAMS
  @EXTENSION_KEY
  @WRITE_ERRORS
  @ApiErrors({ 413: 'PAYLOAD_TOO_LARGE: the value is larger than 64 KiB' })
  put(
    @Param() params: OpaqueKeyParamsDto,
    @Headers('x-extension-key') extensionKey: string | undefined,
    @Req() req: RawBodyRequest,
    @Res({ passthrough: true }) res: JsonText,
  ): Promise<string> {
    const valueJson = opaqueValueOf(req.rawBody?.toString('utf8'));
    res.type('application/json');
    return this.opaque.put({ type: params.entityType, id: params.entityId }, params.namespace, params.key, valueJson, extensionKey);
  }

  @Delete(':entityType/:entityId/:namespace/:key')
  @HttpCode(204)
  @ApiOperation({ summary: "Delete an extension's entry; an inherited one shows again" })
  @ApiNoContentResponse({ description: 'deleted (or was not there)' })
  @KEY_PARAMS
  @EXTENSION_KEY
  @WRITE_ERRORS
  delete(@Param() params: OpaqueKeyParamsDto, @Headers('x-extension-key') extensionKey: string | undefined): Promise<void> {
    return this.opaque.delete({ type: params.entityType, id: params.entityId }, params.namespace, params.key, extensionKey);
  }

  @Get(':entityType/:entityId')
  @ApiOperation({ summary: "An entity's entries: its own, inherited ones (switch → port group → port), and those host modules sent up" })
  @ApiOkResponse({ type: [OpaqueEntryView] })
  @PARAMS
  @ApiErrors(
    { 400: 'VALIDATION_FAILED: a bad entityType, namespace or asOf' },
    { 404: 'NOT_FOUND: no such switch, port group, port or host' },
  )
  view(@Param() params: OpaqueEntityParamsDto, @Query() query: OpaqueQueryDto, @Res({ passthrough: true }) res: JsonText): Promise<string> {
    res.type('application/json');
    return this.opaque.view({ type: params.entityType, id: params.entityId }, query.namespace, query.asOf);
  }
}
