/** Set by JetStream publishers; the stream drops a second message with the same id within its duplicate window. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';

/** Carries the correlation id of the work that produced a message (the same header the relay writes). */
export const CORRELATION_ID_HEADER = 'vnet-correlation-id';
