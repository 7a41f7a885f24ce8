import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { EventPublisher } from './relay.js';

/** Publishes to JetStream and waits for the stream's ack; the event id becomes `Nats-Msg-Id`. */
export class JetStreamPublisher implements EventPublisher {
  constructor(private readonly js: JetStreamClient) {}

  async publish(
    subject: string,
    payload: Uint8Array,
    options: { msgId: string; headers: Record<string, string> },
  ): Promise<void> {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(options.headers)) h.set(k, v);
    await this.js.publish(subject, payload, { msgID: options.msgId, headers: h });
  }
}
