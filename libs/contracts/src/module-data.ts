import { REPORT_STREAM_LIMITS } from './host-messages.js';
import type { OpaqueEntityRef } from './opaque-data.js';

/**
 * Host module → compute manager: data a module on a host sends up (host agent
 * `POST /hosts/:hostId/modules/:namespace/data`). Published through the host's management link to
 * JetStream on `moduleDataSubject(hostId)`, in stream MODULE_DATA_STREAM (which the compute manager
 * creates at boot; a host can create no stream). The compute manager records each message once as an
 * event of the host's stream (`ModuleDataReported`) and serves it in
 * `GET /opaque-data/:entityType/:entityId` with `source: "host:<hostId>"`, apart from the entries
 * extensions set (module data is not inherited). A later message for the same host, entity,
 * namespace and key replaces the earlier one.
 *
 * - `id`: unique per message (a UUID is fine), also sent as `Nats-Msg-Id`; a message redelivered or
 *   sent again with the same id is recorded once.
 * - `hostId`: must be the host of the subject; a message naming another host is dead-lettered.
 * - `entity`: what the data is about (`switch`, `port-group`, `port` or `host`, by id).
 * - `namespace`, `key`: as OPAQUE_NAMESPACE_PATTERN and OPAQUE_KEY_PATTERN.
 * - `valueJson`: the value's JSON text, at most OPAQUE_VALUE_MAX_BYTES (UTF-8); it must be valid JSON,
 *   and is kept and served exactly as sent. A message that fails the schema is dead-lettered.
 * - `sentAt`: ISO 8601 time the host sent it.
 */
export interface ModuleData {
  id: string;
  hostId: string;
  namespace: string;
  entity: OpaqueEntityRef;
  key: string;
  valueJson: string;
  sentAt: string;
}

/** A stream of its own: Debian's nats-server 2.9 gives a consumer one filter subject. */
export const MODULE_DATA_STREAM = 'HOST_MODULE_DATA';
export const MODULE_DATA_SUBJECTS = 'hosts.*.module-data';
export const moduleDataSubject = (hostId: string): string => `hosts.${hostId}.module-data`;
export const MODULE_DATA_STREAM_SPEC = { name: MODULE_DATA_STREAM, subjects: [MODULE_DATA_SUBJECTS], ...REPORT_STREAM_LIMITS };
