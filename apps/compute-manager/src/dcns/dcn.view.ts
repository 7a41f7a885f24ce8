import type { DcnState, Nic } from './dcn.decider.js';
import type { DcnRow } from './dcn.read-model.js';
import type { DcnView, NicView } from './dto/dcn.dto.js';

export const nicView = (n: Nic): NicView => ({ id: n.id, portId: n.portId, network: { kind: n.network.kind, id: n.network.id } });
export const dcnView = (s: DcnState | DcnRow): DcnView => ({ id: s.id, name: s.name, hostId: s.hostId, nics: s.nics.map(nicView) });
