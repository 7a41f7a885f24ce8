import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DcnsService } from './dcns.service.js';
import { AttachNicDto, CreateDcnDto, type DcnView, MigrateDcnDto, type NicView } from './dto/dcn.dto.js';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('dcns')
@ApiBearerAuth()
@Controller('dcns')
export class DcnsController {
  constructor(private readonly dcns: DcnsService) {}

  @Post()
  create(@Body() body: CreateDcnDto): Promise<DcnView> {
    return this.dcns.create(body.name, body.hostId);
  }

  @Get()
  list(): Promise<DcnView[]> {
    return this.dcns.list();
  }

  @Get(':id')
  get(@Param('id', uuid) id: string): Promise<DcnView> {
    return this.dcns.get(id);
  }

  @Post(':id/nics')
  attachNic(@Param('id', uuid) id: string, @Body() body: AttachNicDto): Promise<NicView & { taskId: string }> {
    return this.dcns.attachNic(id, body);
  }

  @Post(':id/migrate')
  @HttpCode(200)
  migrate(@Param('id', uuid) id: string, @Body() body: MigrateDcnDto): Promise<DcnView> {
    return this.dcns.migrate(id, body.targetHostId);
  }
}
