import type { ChildProcess } from 'node:child_process';

export interface LocalServer {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  stop(graceMs?: number): Promise<void>;
}
export function freePort(): Promise<number>;
export function isPortFree(port: number): Promise<boolean>;
export function findNatsServer(): string | null;
export function findPostgresBin(): string | null;
export function startNats(options: {
  dir: string;
  port?: number;
  log?: 'ignore' | 'inherit' | number;
  detached?: boolean;
  onSpawn?: (child: ChildProcess) => void;
}): Promise<LocalServer>;
export function startPostgres(options: {
  dir: string;
  port?: number;
  database?: string;
  log?: 'ignore' | 'inherit' | number;
  detached?: boolean;
  settings?: Record<string, string>;
  onSpawn?: (child: ChildProcess) => void;
}): Promise<LocalServer & { dataDir: string }>;
export function removeDir(dir: string): void;
