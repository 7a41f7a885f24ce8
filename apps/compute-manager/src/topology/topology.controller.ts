import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { TopologyEventStream, type StreamRequest, type StreamResponse } from './topology-event-stream.js';
import { TopologyFeed } from './topology.feed.js';
import type { TopologySnapshot } from './topology.js';
import { TOPOLOGY_CHANGE_SCHEMA, TOPOLOGY_SNAPSHOT_SCHEMA } from './topology.schema.js';

@ApiTags('topology')
@Controller('topology')
export class TopologyController {
  constructor(private readonly feed: TopologyFeed) {}

  @Get()
  @ApiOperation({ summary: 'The topology now: hosts, switches, port groups, logical networks, DCNs and their ports, tasks, rollbacks and repairs' })
  @ApiOkResponse({ schema: TOPOLOGY_SNAPSHOT_SCHEMA as never })
  snapshot(): Promise<TopologySnapshot> {
    return this.feed.snapshot();
  }

  @Get('events')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: 'The topology, live, as server-sent events',
    description:
      'A `text/event-stream` that stays open. The first event, `snapshot`, holds the topology (as `GET /topology`); each `change` ' +
      'event after it holds what changed since the previous one (`TopologyChange`): at most four a second, however many hosts change. ' +
      'A comment line every 15 s keeps idle connections open. The token goes in the `Authorization` header like every other ' +
      "route's (read it with `fetch` and a stream reader; never in the URL).",
  })
  @ApiOkResponse({
    description: 'the event stream',
    content: {
      'text/event-stream': <never>{
        schema: { type: 'string', description: '`event: snapshot` then `event: change` messages, each `data:` one JSON document' },
        // The JSON of each event's `data`, for readers of the document (no schema language describes a stream of them).
        'x-events': { snapshot: TOPOLOGY_SNAPSHOT_SCHEMA, change: TOPOLOGY_CHANGE_SCHEMA },
        examples: {
          snapshot: { summary: 'first event', value: 'event: snapshot\ndata: {"hosts":[],"switches":[],"networks":[],"dcns":[],"tasks":[],"activity":[]}\n\n' },
        },
      },
    },
  })
  async events(@Req() req: StreamRequest, @Res() res: StreamResponse): Promise<void> {
    await new TopologyEventStream(req, res).run(this.feed);
  }
}
