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
}

/**
 * Creates the stream (file storage) or brings its subjects and duplicate window to the spec.
 * Safe to call from every instance at every boot, concurrently. Storage cannot change after
 * creation, so an existing stream keeps its own.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<StreamInfo> {
  const duplicateWindow = nanos(spec.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS);
  for (let attempt = 0; ; attempt++) {
    const existing = await streamInfo(jsm, spec.name);
    if (existing) {
      const { config } = existing;
      if (sameSet(config.subjects ?? [], spec.subjects) && config.duplicate_window === duplicateWindow) {
        return existing;
      }
      return jsm.streams.update(spec.name, { subjects: spec.subjects, duplicate_window: duplicateWindow });
    }
    try {
      return await jsm.streams.add({
        name: spec.name,
        subjects: spec.subjects,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        duplicate_window: duplicateWindow,
      });
    } catch (err) {
      // Another instance created it between our look-up and our add: look again, once.
      if (attempt === 0 && err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE) continue;
      throw err;
    }
  }
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
