// Container health check: exits 0 when the service on 127.0.0.1:<port> answers GET /health with 200.
const port = process.argv[2];
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2500) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
