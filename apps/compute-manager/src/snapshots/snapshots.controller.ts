import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { RestoreAnswer, RestoreSnapshotDto, SnapshotDetailView, SnapshotView } from './dto/snapshot.dto.js';
import { SnapshotsService } from './snapshots.service.js';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('snapshots')
@ApiBearerAuth()
@Controller()
export class SnapshotsController {
  constructor(private readonly snapshots: SnapshotsService) {}

  @Post('switches/:id/snapshots')
  @ApiCreatedResponse({ type: SnapshotView, description: "written to storage independent of the compute manager's database" })
  create(@Param('id', uuid) id: string): Promise<SnapshotView> {
    return this.snapshots.create(id);
  }

  @Get('snapshots')
  @ApiOkResponse({ type: [SnapshotView], description: "listed from the snapshots' own storage, oldest first" })
  list(): Promise<SnapshotView[]> {
    return this.snapshots.list();
  }

  @Get('snapshots/:id')
  @ApiOkResponse({ type: SnapshotDetailView })
  @ApiUnprocessableEntityResponse({ description: 'SNAPSHOT_INVALID: the stored document cannot be read as a snapshot' })
  get(@Param('id', uuid) id: string): Promise<SnapshotDetailView> {
    return this.snapshots.get(id);
  }

  @Post('snapshots/:id/restore')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RestoreAnswer, description: "the task of the push to the target switch's hosts" })
  @ApiUnprocessableEntityResponse({
    description: 'SNAPSHOT_INVALID: the stored document cannot be read as a snapshot; nothing is restored',
  })
  restore(@Param('id', uuid) id: string, @Body() body: RestoreSnapshotDto): Promise<RestoreAnswer> {
    return this.snapshots.restore(id, body.target);
  }
}
