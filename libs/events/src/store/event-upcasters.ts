/**
 * One step of an event type's shape: turns the data recorded at `from` into the data of `from + 1`.
 * It must also accept data already in the newer shape (logs written before versions were stamped
 * hold newer shapes unstamped, read as version 1): an upcast only adds or renames what is missing.
 */
export interface Upcaster {
  type: string;
  from: number;
  upcast(data: any): unknown;
}

/** Where an event's schema version travels: its metadata (absent = version 1). */
export const SCHEMA_VERSION_KEY = 'schemaVersion';

/**
 * The schema version of each event type and the steps from older versions to the current one. The
 * store stamps an append with its type's current version (types never changed are version 1 and
 * stay unstamped) and upcasts what it reads, so every reader of the log (aggregates, projections
 * and rebuilds, `/events`, the relay) sees current shapes only.
 */
export class EventUpcasters {
  private readonly steps = new Map<string, Map<number, Upcaster['upcast']>>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const u of upcasters) this.register(u);
  }

  register(upcaster: Upcaster): this {
    if (!Number.isInteger(upcaster.from) || upcaster.from < 1)
      throw new Error(`invalid upcaster of ${upcaster.type} from ${upcaster.from}`);
    const steps = this.steps.get(upcaster.type) ?? new Map();
    if (steps.has(upcaster.from)) throw new Error(`two upcasters of ${upcaster.type} from version ${upcaster.from}`);
    steps.set(upcaster.from, upcaster.upcast);
    this.steps.set(upcaster.type, steps);
    return this;
  }

  /** The version appends of `type` are recorded at: one past its last step. */
  currentVersion(type: string): number {
    const steps = this.steps.get(type);
    if (!steps) return 1;
    return Math.max(...steps.keys()) + 1;
  }

  /** The version an event was recorded at, from its metadata. */
  static versionOf(metadata: Record<string, unknown> | null | undefined): number {
    const v = metadata?.[SCHEMA_VERSION_KEY];
    return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : 1;
  }

  /** The data of `type` recorded at `version`, in the current shape. */
  upcast(type: string, version: number, data: unknown): unknown {
    const steps = this.steps.get(type);
    if (!steps) return data;
    const current = this.currentVersion(type);
    let out = data;
    for (let v = version; v < current; v++) {
      const step = steps.get(v);
      if (!step) throw new Error(`no upcaster of ${type} from version ${v}`);
      out = step(out);
    }
    return out;
  }

  /** Whether any type has more than one version (reads skip the upcast entirely when none has). */
  get empty(): boolean {
    return this.steps.size === 0;
  }
}
