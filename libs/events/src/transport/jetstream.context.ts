import { BaseRpcContext } from '@nestjs/microservices';
import type { JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import { CORRELATION_ID_HEADER, MSG_ID_HEADER } from './headers.js';

type JetStreamContextArgs = [message: JsMsg, pattern: string, consumer: string];

/** What a handler can learn about the JetStream message it is processing (`@Ctx() ctx: JetStreamContext`). */
export class JetStreamContext extends BaseRpcContext<JetStreamContextArgs> {
  /** The raw message. Acknowledging it is the transport's job: do not ack, nak or term it yourself. */
  getMessage(): JsMsg {
    return this.args[0];
  }

  /** The subject the message was published on (never a wildcard). */
  getSubject(): string {
    return this.args[0].subject;
  }

  /** The `@EventPattern` that matched, which is also the consumer's filter subject. */
  getPattern(): string {
    return this.args[1];
  }

  /** The durable consumer that delivered the message. */
  getConsumer(): string {
    return this.args[2];
  }

  getStream(): string {
    return this.args[0].info.stream;
  }

  /** The message's position in its stream: stable across redeliveries. */
  getStreamSequence(): number {
    return this.args[0].seq;
  }

  /** 1 on the first delivery, then one more on every redelivery. */
  getDeliveryCount(): number {
    return this.args[0].info.deliveryCount;
  }

  getHeaders(): MsgHdrs | undefined {
    return this.args[0].headers;
  }

  getHeader(name: string): string | undefined {
    return this.args[0].headers?.get(name) || undefined;
  }

  getMsgId(): string | undefined {
    return this.getHeader(MSG_ID_HEADER);
  }

  getCorrelationId(): string | undefined {
    return this.getHeader(CORRELATION_ID_HEADER);
  }
}
