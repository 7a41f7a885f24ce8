export const SERVICES_FILE: string;
export function writeServicesFile(dataDir: string, urls: Record<string, string>): void;
