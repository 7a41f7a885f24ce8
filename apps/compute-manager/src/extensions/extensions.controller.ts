import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@vnet/events';
import { ExtensionView, RegisterExtensionDto } from './dto/extension.dto.js';
import { ExtensionsService } from './extensions.service.js';

@ApiTags('extensions')
@Controller('extensions')
export class ExtensionsController {
  constructor(private readonly extensions: ExtensionsService) {}

  /** 201 for a new extension; 200 for a known one, with the namespaces it did not have added. */
  @Post()
  @ApiOperation({ summary: 'Register a management extension and the namespaces it owns, or add namespaces to it' })
  @ApiCreatedResponse({ type: ExtensionView, description: 'a new extension' })
  @ApiOkResponse({ type: ExtensionView, description: 'a known extension: the namespaces it did not have are added' })
  @ApiErrors({ 409: 'NAMESPACE_TAKEN: another extension owns a namespace (`namespaces` names them); nothing is recorded' })
  async register(@Body() body: RegisterExtensionDto, @Res({ passthrough: true }) res: { status(code: number): void }): Promise<ExtensionView> {
    const { created, extension } = await this.extensions.register(body.key, body.namespaces);
    res.status(created ? 201 : 200);
    return extension;
  }
}
