/** An event as the relay publishes it on `events.<service>.<category>.<type>`. */
export interface EventEnvelope<T extends string = string, D = unknown> {
  id: string;
  position: number;
  streamId: string;
  version: number;
  type: T;
  data: D;
  metadata: { correlationId: string; causationId: string | null; actor: string };
  recordedAt: string;
}
