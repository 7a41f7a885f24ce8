export type KnownIds = Record<'network-manager' | 'compute-manager' | 'host-agent', Record<string, string[]>>;
export function createFixture(options: {
  nm: string;
  cm: string;
  ha?: string;
  token: string;
  hostId?: string;
}): Promise<KnownIds>;
export function hostAgentState(ha: string, token: string): Promise<string>;
