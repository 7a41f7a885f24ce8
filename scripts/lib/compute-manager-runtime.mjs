// How the compute manager's process is started, wherever it is started from (npm start, the e2e
// harness, the benchmarks, the compose file): settings that must be in place before any of its code runs.

/**
 * V8's young generation: a rebuild (`POST /admin/rebuild`) holds a page of events while it projects
 * it and parses the next one read ahead. With the default 16 MB semi-spaces the pages outlive two
 * scavenges and are promoted, and garbage collection takes about a fifth of the rebuild's CPU
 * profile; with 64 MB semi-spaces they die young, and it takes 6% (the replay bench on 300,000
 * events, back to back: 1.68 against 1.02 s of the compute manager's CPU per 100,000 events, peak
 * RSS 314 against 383 MiB).
 */
export const COMPUTE_MANAGER_NODE_ARGS = ['--max-semi-space-size=64'];
