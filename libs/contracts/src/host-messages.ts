import type { LogicalNetworkConstruct } from './logical-network.js';

/** Host ids are the operator's strings; they end up in subjects and paths. */
export const HOST_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Host reports: what a host holds, sent through its management link to JetStream, consumed by
 * both managers (each records the changes in its own log).
 */
export const HOST_REPORTS_STREAM = 'HOST_REPORTS';
export const HOST_REPORTS_SUBJECTS = 'hosts.*.report';
export const hostReportSubject = (hostId: string): string => `hosts.${hostId}.report`;

/**
 * The bounds of the streams hosts report into. A report matters until both managers have recorded
 * it in their logs (minutes at most), and a host re-sends what it holds when it reconnects: a day
 * and 256 MiB is ample, and keeps a stream that nobody reads from growing without end.
 */
export const REPORT_STREAM_LIMITS = { maxAgeMs: 24 * 3600 * 1000, maxBytes: 256 * 1024 ** 2 } as const;
export const HOST_REPORTS_STREAM_SPEC = { name: HOST_REPORTS_STREAM, subjects: [HOST_REPORTS_SUBJECTS], ...REPORT_STREAM_LIMITS };
/** At most this many constructs in one report message; a larger change is sent in several. */
export const REPORT_CHUNK = 500;

export interface HeldNetwork {
  id: string;
  revision: number;
}

/**
 * A host's report. When `held` is present, it is the complete list of networks the host holds
 * (a full report: anything else the manager believed it held, it no longer does); `upserted`
 * carries constructs (new, or at a new revision) and `removed` the ids the host dropped.
 * Reports of one host are applied in `seq` order; `Nats-Msg-Id` is `<hostId>:<bootId>:<seq>`.
 */
export interface HostReport {
  hostId: string;
  bootId: string;
  seq: number;
  held?: HeldNetwork[];
  upserted: LogicalNetworkConstruct[];
  removed: string[];
  /** When present: every logical port on the host's network switch (replaces what was known). */
  logicalPorts?: ReportedLogicalPort[];
  /** When present: every compute switch the host runs, at the revision it applied. */
  switches?: Array<{ id: string; revision: number }>;
  sentAt: string;
}

export interface ReportedLogicalPort {
  id: string;
  logicalNetworkId: string;
  dcnId: string | null;
}

/**
 * Heartbeat, a management round trip: core NATS request from the host to the compute manager,
 * answered at once. A reply that comes back proves the host's management traffic flows.
 */
export const heartbeatSubject = (hostId: string): string => `cm.heartbeat.${hostId}`;
export const HEARTBEAT_SUBJECTS = 'cm.heartbeat.*';
export const HEARTBEAT_INTERVAL_MS = 1000;
/** A host not heard from for this long is `disconnected`. */
export const HEARTBEAT_TIMEOUT_MS = 3500;

export interface Heartbeat {
  hostId: string;
  bootId: string;
  sentAt: string;
}

export interface HeartbeatReply {
  ok: true;
  at: string;
}
