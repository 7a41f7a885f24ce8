// How the host agent's process is started, wherever it is started from (npm start, the e2e harness,
// the benchmarks): settings that must be in place before any of its code runs.

/**
 * libuv's pool: thousands of simulated hosts write and sync their stores in parallel, and the pool
 * is sized by the environment before any module is loaded.
 */
export const HOST_AGENT_ENV = { UV_THREADPOOL_SIZE: '64' };

/**
 * V8's young generation: a push keeps per-host objects alive for a few hundred milliseconds (writes
 * in flight, round trips awaited). With the default 16 MB semi-spaces they outlive two scavenges and
 * are promoted, the old generation fills within a few pushes and a full mark-compact lands in the
 * middle of one (measured: 460–500 ms pushes then, against 250–300 ms with 64 MB semi-spaces, where
 * they die young; the peak RSS of 2,000 hosts grows from about 300 to 410 MiB).
 */
export const HOST_AGENT_NODE_ARGS = ['--max-semi-space-size=64'];
