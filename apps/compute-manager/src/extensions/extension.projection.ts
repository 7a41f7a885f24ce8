import type { Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import type { ExtensionEvent } from './extension.decider.js';

/** Extensions, and the owner of each namespace. */
export class ExtensionProjection implements Projection {
  readonly name = 'extensions';
  readonly reads = [];
  readonly tables = ['extensions', 'extension_namespaces'];

  /** The batch's extension events, one by one: a rebuild's events are mostly of other streams. */
  async applyBatch(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void> {
    for (const event of events) if (event.streamId.startsWith('extension-')) await this.apply(event, context);
  }

  async apply(event: RecordedEvent, { client }: ProjectionContext): Promise<void> {
    if (!event.streamId.startsWith('extension-')) return;
    const e = event as unknown as ExtensionEvent;
    switch (e.type) {
      case 'ExtensionRegistered':
        await client.query('INSERT INTO extensions (key, created_position) VALUES ($1, $2)', [e.data.key, event.position]);
        break;
      case 'ExtensionNamespacesAdded':
        break;
      default:
        return;
    }
    await client.query(
      'INSERT INTO extension_namespaces (namespace, extension_key, position) SELECT unnest($1::text[]), $2, $3',
      [e.data.namespaces, e.data.key, event.position],
    );
  }
}
