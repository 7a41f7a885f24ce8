/** The OpenAPI schemas of the topology (topology.ts), for the document the service serves. */
const str = { type: 'string' };
const strings = { type: 'array', items: str };
const nullableStr = { type: 'string', nullable: true };
const HOST_TASK_STATES = ['pending', 'succeeded', 'failed', 'rolled_back'];
const TASK_STATES = ['running', 'succeeded', 'failed', 'rolled_back'];

const object = (properties: Record<string, unknown>) => ({
  type: 'object',
  required: Object.keys(properties),
  additionalProperties: false,
  properties,
});

const HOST = object({
  id: str,
  connectionState: { type: 'string', enum: ['connected', 'disconnected'] },
  logicalNetworks: { ...strings, description: 'ids of the logical networks the host holds' },
  switchIds: { ...strings, description: 'ids of the switches the host is a member of' },
});
const SWITCH = object({
  id: str,
  name: str,
  revision: { type: 'integer' },
  hostIds: strings,
  portGroups: { type: 'array', items: object({ id: str, name: str, vlanId: { type: 'integer' }, management: { type: 'boolean' } }) },
});
const NETWORK = object({ id: str, name: str, vni: { type: 'integer' }, hostCount: { type: 'integer' } });
const DCN = object({
  id: str,
  name: str,
  hostId: str,
  ports: { type: 'array', items: object({ nicId: str, portId: str, networkKind: { type: 'string', enum: ['logical', 'port-group'] }, networkId: str }) },
});
const TASK = object({
  id: str,
  kind: str,
  state: { type: 'string', enum: TASK_STATES },
  startedAt: { type: 'string', format: 'date-time' },
  finishedAt: { type: 'string', format: 'date-time', nullable: true },
  counts: object(Object.fromEntries(HOST_TASK_STATES.map((s) => [s, { type: 'integer' }]))),
  hosts: { type: 'array', items: object({ hostId: str, state: { type: 'string', enum: HOST_TASK_STATES }, detail: nullableStr }) },
});
const ACTIVITY = object({
  id: str,
  at: { type: 'string', format: 'date-time' },
  kind: { type: 'string', enum: ['rollback', 'revert', 'snapshot-restore', 'management-repair', 'repair-cleared'] },
  hostId: nullableStr,
  switchId: nullableStr,
  summary: str,
});

const arrays = {
  hosts: { type: 'array', items: HOST },
  switches: { type: 'array', items: SWITCH },
  networks: { type: 'array', items: NETWORK },
  dcns: { type: 'array', items: DCN },
  tasks: { type: 'array', items: TASK, description: 'the latest tasks, newest first' },
};

export const TOPOLOGY_SNAPSHOT_SCHEMA = {
  ...object({ ...arrays, activity: { type: 'array', items: ACTIVITY, description: 'rollbacks and repairs, oldest first' } }),
  description: 'hosts, switches with their port groups, the logical networks hosts hold, DCNs with their ports, tasks, rollbacks and repairs',
};

export const TOPOLOGY_CHANGE_SCHEMA = {
  type: 'object',
  required: ['upserted', 'removed', 'activity'],
  additionalProperties: false,
  description: 'what changed since the previous message: entries new or different (whole), ids gone, activity new',
  properties: {
    upserted: { type: 'object', additionalProperties: false, properties: arrays },
    removed: { type: 'object', additionalProperties: false, properties: Object.fromEntries(Object.keys(arrays).map((k) => [k, strings])) },
    activity: { type: 'array', items: ACTIVITY },
  },
};
