import {
  JetStreamApiError,
  JetStreamApiCodes,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export const DEFAULT_DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

// Not in the client's JetStreamApiCodes: "stream name already in use with a different configuration".
const STREAM_NAME_IN_USE = 10058;

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** How long a `Nats-Msg-Id` is remembered to drop duplicates; 10 minutes unless said otherwise. */
  duplicateWindowMs?: number;
  /** Bounds: messages older than this are dropped (unbounded when absent). */
  maxAgeMs?: number;
  /** Bounds: the oldest messages are dropped beyond this size (unbounded when absent). */
  maxBytes?: number;
  /** Servers holding a copy (NATS_REPLICAS); 1 when absent. An existing stream is scaled to it. */
  replicas?: number;
}

/** The specs with the service's replica count (NATS_REPLICAS), for ensureStream and StreamGuard. */
export function withReplicas(specs: StreamSpec[], replicas: number): StreamSpec[] {
  return specs.map((spec) => ({ ...spec, replicas }));
}

/**
 * The bounds of a manager's event stream. The log in PostgreSQL is the source of truth and the
 * stream only carries it to consumers, so a week of events (and at most 1 GiB) is what a consumer
 * that was away can still catch up on; the relay republishes the whole log into a stream that was
 * lost (StreamGuard).
 */
export const EVENT_STREAM_LIMITS = { maxAgeMs: 7 * 24 * 3600 * 1000, maxBytes: 1024 ** 3 } as const;

/** The stream a manager's relay publishes its log to: `${prefix}.>`, with EVENT_STREAM_LIMITS. */
export function eventStreamSpec(stream: { name: string; subjectPrefix: string }): StreamSpec {
  return { name: stream.name, subjects: [`${stream.subjectPrefix}.>`], ...EVENT_STREAM_LIMITS };
}

/**
 * Creates the stream (file storage) or brings its subjects, duplicate window, limits and replica
 * count to the spec. Safe to call from every instance at every boot, concurrently. Storage cannot
 * change after creation, so an existing stream keeps its own.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<StreamInfo> {
  const duplicateWindow = nanos(spec.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS);
  // 0 is JetStream's "no limit" for age, -1 for bytes.
  const limits = { max_age: spec.maxAgeMs ? nanos(spec.maxAgeMs) : 0, max_bytes: spec.maxBytes ?? -1 };
  const replicas = spec.replicas ?? 1;
  for (let attempt = 0; ; attempt++) {
    const existing = await streamInfo(jsm, spec.name);
    if (existing) {
      const { config } = existing;
      if (
        sameSet(config.subjects ?? [], spec.subjects) &&
        config.duplicate_window === duplicateWindow &&
        config.max_age === limits.max_age &&
        config.max_bytes === limits.max_bytes &&
        config.num_replicas === replicas
      ) {
        return existing;
      }
      return jsm.streams.update(spec.name, {
        subjects: spec.subjects,
        duplicate_window: duplicateWindow,
        num_replicas: replicas,
        ...limits,
      });
    }
    try {
      return await jsm.streams.add({
        name: spec.name,
        subjects: spec.subjects,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        duplicate_window: duplicateWindow,
        num_replicas: replicas,
        ...limits,
      });
    } catch (err) {
      // Another instance created it between our look-up and our add: look again, once.
      if (attempt === 0 && err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE) continue;
      throw err;
    }
  }
}

/**
 * Scales a stream made by another client (a KV bucket, an object store: theirs only set the replica
 * count at creation) to `replicas`, when it has another count. Answers whether it changed it.
 */
export async function ensureReplicas(jsm: JetStreamManager, stream: string, replicas: number): Promise<boolean> {
  const existing = await streamInfo(jsm, stream);
  if (!existing || existing.config.num_replicas === replicas) return false;
  await jsm.streams.update(stream, { num_replicas: replicas });
  return true;
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return null;
    throw err;
  }
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sb].every((x) => sa.has(x));
}

/**
 * Notices that a stream was lost: deleted (it creates it again) or replaced by another under the
 * same name (its creation time changed). `check()` answers 'recreated' then, once; a stream found
 * missing by the first check counts too, since a stream deleted while its service was down looks so.
 */
export class StreamGuard {
  private created: string | null = null;
  private recreated = false;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly spec: StreamSpec,
  ) {}

  /** Makes sure the stream exists (at boot); what it found is answered by the next check(). */
  async ensure(): Promise<void> {
    if (this.recreated) return;
    this.recreated = (await this.check()) === 'recreated';
  }

  async check(): Promise<'ok' | 'recreated'> {
    const existing = await streamInfo(this.jsm, this.spec.name);
    if (!existing) {
      this.created = (await ensureStream(this.jsm, this.spec)).created;
      this.recreated = true;
    } else if (this.created !== null && existing.created !== this.created) {
      this.created = existing.created;
      this.recreated = true;
    } else {
      this.created = existing.created;
    }
    if (!this.recreated) return 'ok';
    this.recreated = false;
    return 'recreated';
  }
}
