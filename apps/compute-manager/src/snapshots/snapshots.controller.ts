import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, notFound, ParseIdPipe } from '@vnet/events';
import { RestoreAnswer, RestoreSnapshotDto, SnapshotDetailView, SnapshotView } from './dto/snapshot.dto.js';
import { SnapshotsService } from './snapshots.service.js';

const INVALID = {
  422: 'SNAPSHOT_INVALID: the stored document cannot be read as a snapshot (`problems` says why); nothing is restored',
};

@ApiTags('snapshots')
@Controller()
export class SnapshotsController {
  constructor(private readonly snapshots: SnapshotsService) {}

  @Post('switches/:id/snapshots')
  @ApiOperation({ summary: "Snapshot a switch's whole configuration to storage independent of the compute manager's database" })
  @ApiCreatedResponse({ type: SnapshotView })
  @ApiErrors(notFound('switch'))
  create(@Param('id', new ParseIdPipe('switch')) id: string): Promise<SnapshotView> {
    return this.snapshots.create(id);
  }

  @Get('snapshots')
  @ApiOperation({ summary: 'List the snapshots from their own storage, oldest first (still listed after the database is lost)' })
  @ApiOkResponse({ type: [SnapshotView] })
  list(): Promise<SnapshotView[]> {
    return this.snapshots.list();
  }

  @Get('snapshots/:id')
  @ApiOperation({ summary: 'Read a snapshot: its summary and its document' })
  @ApiOkResponse({ type: SnapshotDetailView })
  @ApiErrors(notFound('snapshot'), INVALID)
  get(@Param('id', new ParseIdPipe('snapshot')) id: string): Promise<SnapshotDetailView> {
    return this.snapshots.get(id);
  }

  @Post('snapshots/:id/restore')
  @HttpCode(202)
  @ApiOperation({ summary: 'Restore a snapshot onto the same switch, a new one, or another existing one; the hosts converge' })
  @ApiAcceptedResponse({ type: RestoreAnswer, description: "the task of the push to the target switch's hosts" })
  @ApiErrors(notFound('snapshot', 'target switch', 'host (`hostIds` names them)'), INVALID)
  restore(@Param('id', new ParseIdPipe('snapshot')) id: string, @Body() body: RestoreSnapshotDto): Promise<RestoreAnswer> {
    return this.snapshots.restore(id, body.target);
  }
}
