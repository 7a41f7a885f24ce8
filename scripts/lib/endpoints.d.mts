export const SERVICE_ENDPOINTS: Array<{ name: string; urlVar: string; portVar: string; defaultPort: number }>;
export function servicesFile(dataDir: string): string;
export function writeServicesFile(dataDir: string, urls: Record<string, string>): void;
export function removeServicesFile(dataDir: string): void;
export function findStack(env?: Record<string, string | undefined>): {
  urls: Record<string, string>;
  token: string | null;
  dataDir: string;
  found: string[];
};
