import type { JsMsg } from '@nats-io/jetstream';
import { CORRELATION_ID_HEADER, MSG_ID_HEADER } from './headers.js';

/** How much of a dead message's body goes into the log and the dead-letter subject. */
export const DEAD_LETTER_PAYLOAD_LIMIT = 2048;

/** A message that was terminated instead of processed. The full body stays in the stream at `streamSeq`. */
export interface DeadLetter {
  consumer: string;
  stream: string;
  subject: string;
  streamSeq: number;
  deliveryCount: number;
  reason: string;
  msgId?: string;
  correlationId?: string;
  /** The body as text, cut to DEAD_LETTER_PAYLOAD_LIMIT bytes. */
  payload: string;
  payloadBytes: number;
  truncated: boolean;
}

/** Core NATS subject on which a service's dead letters are announced. */
export function deadLetterSubject(durablePrefix: string): string {
  return `deadletter.${durablePrefix}`;
}

export function deadLetterOf(msg: JsMsg, consumer: string, reason: string): DeadLetter {
  const bytes = msg.data;
  const truncated = bytes.length > DEAD_LETTER_PAYLOAD_LIMIT;
  return {
    consumer,
    stream: msg.info.stream,
    subject: msg.subject,
    streamSeq: msg.seq,
    deliveryCount: msg.info.deliveryCount,
    reason,
    msgId: msg.headers?.get(MSG_ID_HEADER) || undefined,
    correlationId: msg.headers?.get(CORRELATION_ID_HEADER) || undefined,
    // A cut through a multi-byte character decodes to U+FFFD, which is fine for a log line.
    payload: new TextDecoder().decode(truncated ? bytes.subarray(0, DEAD_LETTER_PAYLOAD_LIMIT) : bytes),
    payloadBytes: bytes.length,
    truncated,
  };
}
