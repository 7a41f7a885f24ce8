/**
 * What a host records in its own journal (CONTRACT §4 `GET /hosts/:hostId/events`): each thing it
 * applied or undid, as it ran it, so an auditor can compare what a manager asked with what the host
 * did. Small records: ids and revisions, never whole configs.
 */
export type JournalEntry =
  /** A switch's desired revision runs here; `portsChanged` counts the ports of this host it touched. */
  | { type: 'SwitchRevisionApplied'; data: { switchId: string; revision: number; fromRevision: number; portsChanged: number } }
  /** The host is no longer a member of that switch. */
  | { type: 'SwitchDropped'; data: { switchId: string; revision: number } }
  /** A management round trip came back through the change: its saved config is discarded. */
  | { type: 'ChangeProven'; data: { switchId: string; revision: number } }
  /** No round trip proved the change in time: the saved revision runs again. */
  | { type: 'ChangeRolledBack'; data: { switchId: string; revision: number; restoredRevision: number; reason: string } }
  /** The host took a new revision of its ports desired state: the DCN ports added, removed or moved by it. */
  | { type: 'PortsApplied'; data: { revision: number; added: string[]; removed: string[]; changed: string[] } }
  /** A read-only construct of the network manager is held here, at that revision. */
  | { type: 'ConstructApplied'; data: { networkId: string; revision: number; transportZoneId: string } }
  | { type: 'ConstructRemoved'; data: { networkId: string; revision: number } }
  /** The local console's repair: management moved onto a clone of its port, on `vlanId`. */
  | { type: 'ManagementCloned'; data: { switchId: string; portId: string; clonePortId: string; vlanId: number } }
  /** The compute manager acknowledged the repair: it records an override of the original port. */
  | { type: 'ManagementOverrideRecorded'; data: { switchId: string; portId: string; portsRevision: number } }
  /** The override reached the host's ports desired state: management moves back onto the original port. */
  | { type: 'OverrideApplied'; data: { switchId: string; portId: string; vlanId: number; portsRevision: number } }
  /** A round trip proved the original port: the clone is removed. */
  | { type: 'ManagementRepaired'; data: { switchId: string; portId: string; clonePortId: string } }
  /** No round trip proved the original port in time: management stays on the clone. */
  | { type: 'ManagementRepairFailed'; data: { switchId: string; portId: string; detail: string } }
  /** The simulated physical switch port now lets these VLANs through (empty: all). */
  | { type: 'UplinkSet'; data: { allowedVlans: number[] } };

export type JournalEntryType = JournalEntry['type'];

/** Where the parts of a host write what they applied: into the same store batch as the change itself. */
export interface JournalWriter {
  append(entry: JournalEntry): void;
}

/** An entry as `GET /hosts/:hostId/events` answers it. */
export interface JournalRecord {
  position: number;
  type: JournalEntryType;
  data: JournalEntry['data'];
  recordedAt: string;
}
