import type { LogicalNetworkConstruct } from './logical-network.js';

/**
 * Desired state flows as final state in JetStream key-value buckets, written by the manager that
 * owns it and watched by hosts: a host that was away reads the latest values when it returns.
 */

/**
 * Network manager → hosts: one key per network, `<transportZoneId>.<networkId>` → LogicalNetworkDesired.
 */
export const KV_LOGICAL_NETWORKS = 'vnet-logical-networks';
export const logicalNetworkKey = (transportZoneId: string, networkId: string): string => `${transportZoneId}.${networkId}`;
/** The watch filter of every network of a zone. */
export const zoneNetworksFilter = (transportZoneId: string): string => `${transportZoneId}.>`;

/** Network manager → hosts: one key per host, `<hostId>` → TransportNodeDesired. */
export const KV_TRANSPORT_NODES = 'vnet-transport-nodes';

/**
 * A network's value in KV_LOGICAL_NETWORKS: its construct, and the correlation id of the change that
 * made its revision, which the host's report of it carries on. The host keeps only the construct.
 */
export type LogicalNetworkDesired = LogicalNetworkConstruct & { correlationId?: string };

/** What a correlation id may be (as `X-Correlation-Id` takes it): it travels in headers and filters. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
