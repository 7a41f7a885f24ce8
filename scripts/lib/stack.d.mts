import type { ChildProcess } from 'node:child_process';

export interface NatsAuth {
  dir: string;
  operator: string;
  sys: string;
  account: string;
  hostSigner: string;
  creds: Record<'network-manager' | 'compute-manager' | 'host-agent' | 'admin' | 'sys', string>;
  hostSignerFile: string;
  operatorSignerFile: string;
}

export interface LocalServer {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  stop(graceMs?: number): Promise<void>;
}
export function freePort(): Promise<number>;
export function stopChild(child: import('node:child_process').ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void>;
export function isPortFree(port: number): Promise<boolean>;
export function findNatsServer(): string | null;
export function findPostgresBin(): string | null;
export function startNats(options: {
  dir: string;
  port?: number;
  log?: 'ignore' | 'inherit' | number;
  detached?: boolean;
  onSpawn?: (child: ChildProcess) => void;
}): Promise<LocalServer & { auth: NatsAuth }>;
export type NatsServer = LocalServer & { auth: NatsAuth };
export interface NatsClusterNode {
  name: string;
  dir: string;
  port: number;
  routePort: number;
  url: string;
  config: string;
  child: ChildProcess | null;
}
export interface NatsCluster {
  /** Every node's URL, comma-separated (NATS_URL). */
  url: string;
  auth: NatsAuth;
  nodes: NatsClusterNode[];
  node(name: string): NatsClusterNode;
  /** The names of the nodes whose process runs. */
  running(): string[];
  startNode(name: string): Promise<NatsClusterNode>;
  kill(name: string): Promise<void>;
  stopNode(name: string, graceMs?: number): Promise<void>;
  stop(graceMs?: number): Promise<void>;
}
export function startNatsCluster(options: {
  dir: string;
  size?: number;
  log?: 'ignore' | 'inherit' | number;
  detached?: boolean;
  onSpawn?: (child: ChildProcess) => void;
}): Promise<NatsCluster>;
export function natsOptions(
  server: { url: string; auth: NatsAuth },
  principal?: keyof NatsAuth['creds'],
  extra?: Partial<import('@nats-io/transport-node').ConnectionOptions>,
): Promise<import('@nats-io/transport-node').ConnectionOptions>;
export function serviceNatsEnv(server: { url: string; auth: NatsAuth }, name: string): Record<string, string>;
export function startPostgres(options: {
  dir: string;
  port?: number;
  database?: string;
  log?: 'ignore' | 'inherit' | number;
  detached?: boolean;
  settings?: Record<string, string>;
  onSpawn?: (child: ChildProcess) => void;
}): Promise<LocalServer & { dataDir: string; dir: string }>;
export const SERVICE_ROLES: Record<'network-manager' | 'compute-manager', { role: string; schema: string }>;
export type ServiceRoles = Record<'network-manager' | 'compute-manager', { role: string; schema: string; password: string }>;
export function ensureServiceRoles(adminUrl: string, dir: string): Promise<ServiceRoles>;
export function grantServiceSchemas(adminUrl: string, database: string, roles: ServiceRoles): Promise<Record<'network-manager' | 'compute-manager', string>>;
export function removeDir(dir: string): void;
