// Beginners' mistakes at an MQTT TCP listener: a browser (paho-mqtt.js, MQTT.js) pointed at the MQTT port
// instead of the WebSocket one, curl, or a client that speaks TLS to a plain listener. Looked at only when the
// very first chunk of a connection failed to decode (client.ts), so valid MQTT never pays for it.

export type ForeignProtocol = 'http' | 'tls';

/** Request lines of the HTTP methods a browser or tool may send first (RFC 9110 section 9). */
const HTTP_METHODS = [
  'GET ',
  'HEAD ',
  'POST ',
  'PUT ',
  'DELETE ',
  'CONNECT ',
  'OPTIONS ',
  'TRACE ',
  'PATCH ',
];

/**
 * 'http' for bytes that begin an HTTP request, 'tls' for a TLS handshake record (content type 22, version
 * major 3: every SSL 3.0 to TLS 1.3 ClientHello), else undefined.
 */
export function sniffForeignProtocol(bytes: Buffer): ForeignProtocol | undefined {
  if (bytes.length >= 3 && bytes[0] === 0x16 && bytes[1] === 0x03) return 'tls';
  const head = bytes.toString('latin1', 0, 8);
  return HTTP_METHODS.some((method) => head.startsWith(method)) ? 'http' : undefined;
}

/** The one line a browser's developer tools or curl show: where MQTT over WebSocket is, or that there is none. */
export function webSocketHint(websocketPorts: readonly number[]): string {
  if (websocketPorts.length === 0) {
    return 'This port speaks MQTT over TCP, not HTTP; no MQTT over WebSocket listener is configured ("listener 9001" with "protocol websockets" adds one).';
  }
  const ports = websocketPorts.join(', ');
  return `This port speaks MQTT over TCP, not HTTP; MQTT over WebSocket is on port ${ports}.`;
}

/** A complete HTTP/1.1 400 answer with the hint as its one-line body; the connection closes after it. */
export function httpBadRequest(websocketPorts: readonly number[]): Buffer {
  const body = `${webSocketHint(websocketPorts)}\n`;
  return Buffer.from(
    'HTTP/1.1 400 Bad Request\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
