/**
 * The read-only construct of a logical network, as the network manager sends it to every host of
 * the network's transport zone. `id` is its identity everywhere (hosts, compute manager, migrations).
 */
export interface LogicalNetworkConstruct {
  id: string;
  name: string;
  vni: number;
  mtu: number;
  transportZoneId: string;
  revision: number;
  owner: 'network-manager';
}

/** A transport node's desired zones, as the network manager publishes them for its host. */
export interface TransportNodeDesired {
  hostId: string;
  transportZoneIds: string[];
}
