import { Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventLog } from '../store/event-log.js';
import { LOG_START } from '../store/event.js';
import { objectIdOf } from '../store/stream-id.js';
import { EventPage, ListEventsQuery, RebuildView } from './events.dto.js';

/** The service's log, in global order (CONTRACT §2), and the rebuild of its read models. */
@ApiTags('events')
@Controller()
export class EventsController {
  constructor(@Inject(EventLog) private readonly log: EventLog) {}

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
        metadata: { correlationId: e.metadata.correlationId, causationId: e.metadata.causationId ?? null, actor: e.metadata.actor },
        recordedAt: e.recordedAt.toISOString(),
      })),
      next: page.events.length > query.limit ? events[events.length - 1].position : null,
    };
  }

  @Post('admin/rebuild')
  @HttpCode(200)
  @ApiOperation({ summary: 'Drop every read model and replay the log into it' })
  @ApiOkResponse({ type: RebuildView })
  async rebuild(): Promise<RebuildView> {
    const t0 = performance.now();
    const { events } = await this.log.rebuild();
    return { rebuilt: true, events, durationMs: Math.round(performance.now() - t0) };
  }
}
