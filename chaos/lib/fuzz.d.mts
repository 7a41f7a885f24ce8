export interface HostileRequest {
  kind: string;
  operation: string;
  method: string;
  path: string;
  body?: string;
  contentType: string;
  headers?: Record<string, string | null>;
  field?: string;
  valid: false | 'maybe';
}
export interface Answer {
  status: number;
  headers?: Record<string, string | string[] | undefined>;
  text?: string;
  json?: unknown;
  error?: string;
  ms: number;
}
export interface FuzzResult {
  name: string;
  seed: number;
  sent: number;
  notSent: number;
  elapsedMs: number;
  slowestMs: number;
  byStatus: Record<string, number>;
  byKind: Record<string, Record<string, number>>;
  accepted: number;
  recorded: number;
  fromAccepted: number;
  problems: Array<Record<string, unknown> & { problem: string }>;
}
export function fuzzSeed(env?: Record<string, string | undefined>): number;
export function errorShapeProblem(status: number, json: unknown): string | null;
export function fuzzService(options: {
  name: string;
  url: string;
  token: string;
  seed: number;
  count: number;
  known?: Record<string, string[]>;
  concurrency?: number;
  check?: (request: HostileRequest, answer: Answer) => Promise<string | null> | string | null;
  hasLog: boolean;
  stateProbe?: () => Promise<string>;
  oddValues?: boolean;
  /** Collects the correlation ids of accepted writes (shared across calls, so a later run knows them). */
  accepted?: Set<string>;
  settleMs?: number;
}): Promise<FuzzResult>;
export function summarize(result: FuzzResult): string;
