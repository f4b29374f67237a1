/* global fetch, AbortSignal */
// The container's HEALTHCHECK: exits 0 when the HTTP API answers /healthz with 200, 1 otherwise (within 4 s).
// The image has no curl; Node's fetch does. MIDGE_HEALTHCHECK_URL points it elsewhere (another port, https).
const url = process.env.MIDGE_HEALTHCHECK_URL ?? 'http://127.0.0.1:8080/healthz';
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exitCode = response.ok ? 0 : 1;
  if (!response.ok) console.error(`${url}: HTTP ${response.status}`);
} catch (error) {
  console.error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
