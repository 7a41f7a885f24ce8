/** This process's boot: reports carry it, so that managers can tell a restarted host from a late message. */
export const BOOT_ID = Symbol('BOOT_ID');
