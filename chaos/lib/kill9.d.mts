export interface Kill9Result {
  seed: number;
  hosts: number;
  faults: number;
  faultsByTarget: Record<'compute-manager' | 'network-manager' | 'host-agent' | 'nats-server', number>;
  patches: { acknowledged: number; lost: number; duplicated: number };
  networks: { acknowledged: number; lost: number; duplicated: number };
  migrations: number;
  bus: Record<string, { lost: number; duplicated: number }>;
  convergence: { medianMs: number | null; maxMs: number | null };
  finalConvergenceMs: number | null;
  finalRevision: number;
  tasks: { checked: number; stillRunning: number };
  dcnsOnTwoHosts: number;
  answers: Record<string, Record<string, number>>;
  slowestMs: Record<string, number>;
  problems: string[];
}
export function seededRandom(seed: number): () => number;
export function faultPlan<T>(targets: T[], kills: number, random: () => number): T[];
export function median(values: number[]): number | null;
export function exactlyOnce<K>(acknowledged: K[], recorded: K[]): { lost: K[]; duplicated: K[] };
export function dcnPortHosts(
  views: Array<{
    hostId: string;
    computeSwitches: Array<{ ports: Array<{ connectee: { type: string; dcnId?: string } | null }> }>;
    networkSwitch: { ports: Array<{ connectee: { type: string; dcnId?: string } | null }> };
  }>,
): Map<string, Set<string>>;
export function runKill9(options?: {
  hosts?: number;
  kills?: number;
  seed?: number;
  writers?: number;
  dcns?: number;
  gapMs?: [number, number];
  downMs?: [number, number];
  createPauseMs?: number;
  patchPauseMs?: number;
  convergeTimeoutMs?: number;
  log?: (line: string) => void;
}): Promise<Kill9Result>;
