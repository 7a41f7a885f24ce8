import { Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ManagerConfig } from '../config/service-config.js';
import { NotFoundError } from '../errors/domain-error.js';
import { SERVICE_CONFIG } from '../nest/tokens.js';
import { EventLog } from '../store/event-log.js';
import { LOG_START } from '../store/event.js';
import type { RebuildTask } from '../store/rebuild-tasks.js';
import { objectIdOf } from '../store/stream-id.js';
import { ApiErrors, notFound } from './api-errors.decorator.js';
import { EventPage, ListEventsQuery, RebuildTaskView, RebuildView } from './events.dto.js';
import { ParseIdPipe } from './parse-id.pipe.js';

/** The service's log, in global order (CONTRACT §2), and the rebuild of its read models. */
@ApiTags('events')
@Controller()
export class EventsController {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    @Inject(SERVICE_CONFIG) private readonly config: ManagerConfig,
  ) {}

  @Get('events')
  @ApiOperation({ summary: 'Read the event log in global order, a page at a time' })
  @ApiOkResponse({ type: EventPage })
  async list(@Query() query: ListEventsQuery): Promise<EventPage> {
    const cursor = query.after ? ((await this.log.store.cursorAt(query.after)) ?? LOG_START) : LOG_START;
    // One more than asked tells whether a following page exists.
    const filter = {
      objectId: query.streamId,
      type: query.type,
      correlationId: query.correlationId,
      actor: query.actor,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    };
    const page = await this.log.store.readAll(cursor, query.limit + 1, { filter });
    const events = page.events.slice(0, query.limit);
    return {
      events: events.map((e) => ({
        id: e.id,
        position: e.position,
        streamId: objectIdOf(e.streamId),
        type: e.type,
        version: e.version,
        data: e.data,
        metadata: {
          correlationId: e.metadata.correlationId,
          causationId: e.metadata.causationId ?? null,
          actor: e.metadata.actor,
        },
        recordedAt: e.recordedAt.toISOString(),
      })),
      next: page.events.length > query.limit ? events[events.length - 1].position : null,
    };
  }

  @Post('admin/rebuild')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Drop every read model and replay the log into it',
    description:
      'Writers wait while it runs (their changes are projected once it has committed) and `/health` answers 503. ' +
      'A rebuild that ends within REBUILD_SYNC_WAIT_MS (2 s by default) answers 200 with its result; a longer one ' +
      'answers 202 with the rebuild, to follow at `GET /admin/rebuilds/:id` (its `Location`). A request while one ' +
      'runs joins it.',
  })
  @ApiOkResponse({ type: RebuildView, description: 'the rebuild ended: what it replayed' })
  @ApiAcceptedResponse({ type: RebuildTaskView, description: 'still running: follow it at `GET /admin/rebuilds/:id`' })
  async rebuild(
    @Res({ passthrough: true }) res: { status(code: number): void; setHeader(name: string, value: string): void },
  ): Promise<RebuildView | RebuildTaskView> {
    const { task, done } = this.log.rebuilds.start();
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      done,
      new Promise<null>((r) => (timer = setTimeout(() => r(null), this.config.REBUILD_SYNC_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (!ended) {
      res.status(202);
      res.setHeader('Location', `/admin/rebuilds/${task.id}`);
      return rebuildTaskView(task);
    }
    if (ended.state === 'failed') throw this.log.rebuilds.failureOf(ended);
    return { rebuilt: true, id: ended.id, events: ended.replayed, durationMs: ended.durationMs ?? 0 };
  }

  @Get('admin/rebuilds/:id')
  @ApiOperation({ summary: 'Read a rebuild: events replayed of the total, and how it ended' })
  @ApiOkResponse({ type: RebuildTaskView })
  @ApiErrors(notFound('rebuild'))
  getRebuild(@Param('id', new ParseIdPipe('rebuild')) id: string): RebuildTaskView {
    const task = this.log.rebuilds.get(id);
    if (!task) throw new NotFoundError('rebuild', id);
    return rebuildTaskView(task);
  }
}

function rebuildTaskView(task: RebuildTask): RebuildTaskView {
  return {
    id: task.id,
    state: task.state,
    replayed: task.replayed,
    total: task.total,
    startedAt: task.startedAt.toISOString(),
    finishedAt: task.finishedAt?.toISOString() ?? null,
    durationMs: task.durationMs,
    error: task.error,
  };
}
