// The image's HEALTHCHECK: healthy once rill-server answers /readyz on its http.listener
// (storage recovered, listeners bound, metadata loaded). Reads the same variables the
// server does, so a moved http.listener moves the check too.
const configured = process.env.RILL_HTTP_LISTENER ?? process.env.KAFKA_HTTP_LISTENER ?? '127.0.0.1:9644';
const separator = configured.lastIndexOf(':');
let host = configured.slice(0, separator).replace(/^\[|\]$/g, '');
if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
if (host === '::') host = '::1';
const port = configured.slice(separator + 1);
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/readyz`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
