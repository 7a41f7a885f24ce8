/** The service's validated configuration object. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
/** The service's one NATS connection, shared by the relay, the transport and the features. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** The service's name (`network-manager`, ...). */
export const SERVICE_NAME = Symbol('SERVICE_NAME');
/** The process's NATS client: `connected()` resolves once NATS is reached (see NatsClient). */
export const NATS_CLIENT = Symbol('NATS_CLIENT');
