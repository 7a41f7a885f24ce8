import type { RecordedEvent } from '../store/event.js';
import type { Projection, ProjectionContext } from './projection.js';

/**
 * Cuts a page of events into batches that projections may each take whole: a batch ends at every
 * event a projection reads earlier projections' output for. Within a batch each projection runs
 * over all its events before the next projection starts, which equals running every projection on
 * each event in turn as long as a projection reads only its own tables, or the others' only at a
 * batch's last event.
 */
export function batchesOf(events: readonly RecordedEvent[], projections: readonly Projection[]): RecordedEvent[][] {
  const readers = projections.filter((p) => p.readsEarlierModels);
  if (readers.length === 0) return events.length ? [[...events]] : [];
  const batches: RecordedEvent[][] = [];
  let batch: RecordedEvent[] = [];
  for (const event of events) {
    batch.push(event);
    if (readers.some((p) => p.readsEarlierModels!(event))) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/**
 * Projects a page of the log through every projection, each batch set-based where it can be. Within
 * a batch, a projection that declares what it `reads` starts once those projections are done with
 * the batch, beside the others; one that does not runs alone. The next batch starts when every
 * projection is done with this one.
 */
export async function projectPage(events: readonly RecordedEvent[], projections: readonly Projection[], context: ProjectionContext): Promise<void> {
  for (const batch of batchesOf(events, projections)) {
    const running = new Map<string, Promise<void>>();
    try {
      for (const projection of projections) {
        if (!projection.reads) {
          await Promise.all(running.values());
          running.clear();
          await projectBatch(projection, batch, context);
          continue;
        }
        const before = projection.reads.map((name) => running.get(name)).filter((p) => p !== undefined);
        running.set(projection.name, Promise.all(before).then(() => projectBatch(projection, batch, context)));
      }
      await Promise.all(running.values());
    } catch (err) {
      // The first failure is the batch's; the others' settle before the transaction is given up.
      await Promise.allSettled(running.values());
      throw err;
    }
  }
}

async function projectBatch(projection: Projection, batch: readonly RecordedEvent[], context: ProjectionContext): Promise<void> {
  if (projection.applyBatch) await projection.applyBatch(batch, context);
  else for (const event of batch) await projection.apply(event, context);
}
