import type { RecordedEvent } from '../store/event.js';
import type { SqlClient } from '../store/event-store.js';
import type { BatchContext, Projection, ProjectionContext } from './projection.js';

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
 * The writes of a rebuild that no projection waits for (`BatchContext.write`): held until the next
 * statement a projection sends through the context's `client`, or `flush`, and then sent in order
 * on the transaction's connection as one query, so that the server runs them back to back while the
 * projections compute; each answer is awaited only by `settle`.
 */
export class PipelinedWrites {
  private pending: Array<Promise<unknown>> = [];
  /** The writes held, in pieces: each a statement with its values in it (see `inlined`), `;` between them. */
  private held: string[] = [];
  private failed: { error: unknown } | null = null;
  private readonly client: SqlClient;

  /** `kept`: what the projections keep of what they wrote, from page to page (see `BatchContext.kept`). */
  constructor(
    private readonly context: ProjectionContext,
    private readonly kept?: Map<string, unknown>,
  ) {
    // Whatever a projection sends itself runs after the writes it made before.
    const query = (...args: unknown[]) => {
      this.flush();
      return (context.client.query as (...a: unknown[]) => ReturnType<SqlClient['query']>)(...args);
    };
    this.client = { query } as SqlClient;
  }

  /** The context projections write with: the transaction's, `write`, and `kept` when given. */
  get batchContext(): BatchContext {
    const context: BatchContext = {
      client: this.client,
      manager: this.context.manager,
      write: (text, values) => this.write(text, values),
    };
    return this.kept ? { ...context, kept: this.kept } : context;
  }

  /** The first write that failed: the rebuild's error (what follows it fails only because it did). */
  get failure(): unknown {
    return this.failed?.error;
  }

  write(text: string, values?: unknown[]): void {
    const pieces = inlinedPieces(text, values);
    if (pieces !== null) {
      if (this.held.length) this.held.push(';\n');
      for (const piece of pieces) this.held.push(piece);
      return;
    }
    this.flush();
    this.send(text, values);
  }

  /** Sends the writes held so far, as one query. */
  flush(): void {
    if (this.held.length === 0) return;
    // One copy of them all into the query's text.
    const text = this.held.join('');
    this.held = [];
    this.send(text);
  }

  /** Sends the writes held, and waits for those sent so far; throws the first that failed. */
  async settle(): Promise<void> {
    this.flush();
    const sent = this.pending;
    this.pending = [];
    await Promise.all(sent);
    if (this.failed) throw this.failed.error;
  }

  private send(text: string, values?: unknown[]): void {
    this.pending.push(
      this.context.client.query(text, values).catch((error: unknown) => {
        this.failed ??= { error };
      }),
    );
  }
}

/**
 * `text` with each `$n` replaced by its value as a string constant, which PostgreSQL types from
 * where it stands as it types a parameter (node-postgres sends them all as text of no type); null
 * for values other than strings, numbers, booleans, nulls and arrays of those. The statements are
 * the projections' own, with no `$` in quoted text.
 */
export function inlined(text: string, values?: readonly unknown[]): string | null {
  return inlinedPieces(text, values)?.join('') ?? null;
}

/** `inlined`, as the pieces to join (a page's writes are joined once, whole). */
function inlinedPieces(text: string, values?: readonly unknown[]): string[] | null {
  if (!values || values.length === 0) return [text];
  const constants: string[] = [];
  for (const value of values) {
    const constant = constantOf(value);
    if (constant === null) return null;
    constants.push(constant);
  }
  const pieces: string[] = [];
  for (const part of placeholdersOf(text)) pieces.push(typeof part === 'string' ? part : (constants[part] ?? `$${part + 1}`));
  return pieces;
}

/** Statements cut at their placeholders: text, and each placeholder's index in the values. */
const cut = new Map<string, Array<string | number>>();

function placeholdersOf(text: string): Array<string | number> {
  let parts = cut.get(text);
  if (parts) return parts;
  parts = [];
  let at = 0;
  for (const match of text.matchAll(/\$(\d+)/g)) {
    parts.push(text.slice(at, match.index), Number(match[1]) - 1);
    at = match.index + match[0].length;
  }
  parts.push(text.slice(at));
  // The projections' statements are a few constants; anything else is not worth keeping.
  if (cut.size < 256) cut.set(text, parts);
  return parts;
}

function constantOf(value: unknown): string | null {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) {
    const elements: string[] = [];
    for (const element of value) {
      if (element === null || element === undefined) elements.push('NULL');
      else if (!isScalar(element)) return null;
      else elements.push(`"${String(element).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
    }
    return quoted(`{${elements.join(',')}}`);
  }
  return isScalar(value) ? quoted(String(value)) : null;
}

const isScalar = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint';

/** A string constant of `text`, whatever `standard_conforming_strings` says. */
function quoted(text: string): string {
  const escaped = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${escaped.replace(/\\/g, '\\\\')}'` : `'${escaped}'`;
}

/**
 * Projects a page of the log through every projection, each batch set-based where it can be. Within
 * a batch, a projection that declares what it `reads` starts once those projections are done with
 * the batch, beside the others; one that does not runs alone. The next batch starts when every
 * projection is done with this one. Given a plain context, it waits for the page's writes before it
 * returns; given a `BatchContext`, its writes may still be under way (the caller settles them).
 */
export async function projectPage(
  events: readonly RecordedEvent[],
  projections: readonly Projection[],
  context: ProjectionContext | BatchContext,
): Promise<void> {
  if (!('write' in context)) {
    const writes = new PipelinedWrites(context);
    try {
      await projectPage(events, projections, writes.batchContext);
    } catch (err) {
      await writes.settle().catch(() => {});
      throw writes.failure ?? err;
    }
    return writes.settle();
  }
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
        running.set(
          projection.name,
          Promise.all(before).then(() => projectBatch(projection, batch, context)),
        );
      }
      await Promise.all(running.values());
    } catch (err) {
      // The first failure is the batch's; the others' settle before the transaction is given up.
      await Promise.allSettled(running.values());
      throw err;
    }
  }
}

async function projectBatch(projection: Projection, batch: readonly RecordedEvent[], context: BatchContext): Promise<void> {
  if (projection.applyBatch) await projection.applyBatch(batch, context);
  else for (const event of batch) await projection.apply(event, context);
}
