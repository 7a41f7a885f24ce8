/**
 * Desired state flows as final state in JetStream key-value buckets, written by the manager that
 * owns it and watched by hosts: a host that was away reads the latest values when it returns.
 */

/** Network manager → hosts: one key per network, `<transportZoneId>.<networkId>` → LogicalNetworkConstruct. */
export const KV_LOGICAL_NETWORKS = 'vnet-logical-networks';
export const logicalNetworkKey = (transportZoneId: string, networkId: string): string => `${transportZoneId}.${networkId}`;
/** The watch filter of every network of a zone. */
export const zoneNetworksFilter = (transportZoneId: string): string => `${transportZoneId}.>`;

/** Network manager → hosts: one key per host, `<hostId>` → TransportNodeDesired. */
export const KV_TRANSPORT_NODES = 'vnet-transport-nodes';
