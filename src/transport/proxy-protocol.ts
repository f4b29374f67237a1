// The PROXY protocol (HAProxy's proxy-protocol.txt), versions 1 and 2: a proxy in front of a listener starts
// each connection with a header naming the client's address. Only listeners with enable_proxy_protocol read
// it; there every connection must start with one, or a client could claim any address.
import type { Socket } from 'node:net';

export interface PeerAddress {
  address: string;
  port: number;
}

/** v2 headers open with these 12 bytes. */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** A v1 header is one line of at most 107 bytes, CRLF included. */
const V1_MAX = 107;
/** A v2 header's address block (and TLVs) may be up to 65535 bytes; the 16-byte preamble comes first. */
const V2_PREAMBLE = 16;
const HEADER_TIMEOUT_MS = 5000;

export class ProxyHeaderError extends Error {
  readonly code = 'MIDGE_PROXY_HEADER_INVALID';
}

/** Parses a complete header at the start of `data`: the peer (undefined for LOCAL / UNKNOWN) and its length. */
export function parseProxyHeader(
  data: Buffer,
): { peer: PeerAddress | undefined; length: number } | 'incomplete' {
  if (data.length === 0) return 'incomplete';
  if (data[0] === 0x0d) return parseV2(data);
  if (data[0] === 0x50) return parseV1(data);
  throw new ProxyHeaderError('the connection does not start with a PROXY protocol header');
}

function parseV1(data: Buffer): { peer: PeerAddress | undefined; length: number } | 'incomplete' {
  const end = data.indexOf('\r\n', 0, 'latin1');
  if (end === -1) {
    if (data.length >= V1_MAX) throw new ProxyHeaderError('PROXY v1 header longer than 107 bytes');
    if (!'PROXY '.startsWith(head(data, 6)))
      throw new ProxyHeaderError('the connection does not start with a PROXY protocol header');
    return 'incomplete';
  }
  if (end + 2 > V1_MAX) throw new ProxyHeaderError('PROXY v1 header longer than 107 bytes');
  const parts = data.toString('latin1', 0, end).split(' ');
  if (parts[0] !== 'PROXY') throw new ProxyHeaderError('the connection does not start with a PROXY header');
  if (parts[1] === 'UNKNOWN') return { peer: undefined, length: end + 2 };
  const [, family, source, , sourcePort] = parts;
  const port = Number(sourcePort);
  if (
    parts.length !== 6 ||
    (family !== 'TCP4' && family !== 'TCP6') ||
    source === undefined ||
    !/^[0-9a-fA-F:.]+$/.test(source) ||
    !Number.isInteger(port) ||
    port < 0 ||
    port > 65535
  ) {
    throw new ProxyHeaderError(`malformed PROXY v1 header '${data.toString('latin1', 0, end)}'`);
  }
  return { peer: { address: source, port }, length: end + 2 };
}

function head(data: Buffer, n: number): string {
  return data.toString('latin1', 0, Math.min(n, data.length));
}

function parseV2(data: Buffer): { peer: PeerAddress | undefined; length: number } | 'incomplete' {
  const known = Math.min(data.length, V2_SIGNATURE.length);
  if (!data.subarray(0, known).equals(V2_SIGNATURE.subarray(0, known))) {
    throw new ProxyHeaderError('the connection does not start with a PROXY protocol header');
  }
  if (data.length < V2_PREAMBLE) return 'incomplete';
  const versionCommand = data[12] as number;
  if (versionCommand >> 4 !== 2) throw new ProxyHeaderError('PROXY v2 header with an unknown version');
  const length = V2_PREAMBLE + data.readUInt16BE(14);
  if (data.length < length) return 'incomplete';
  const command = versionCommand & 0x0f;
  if (command === 0) return { peer: undefined, length }; // LOCAL: the proxy's own health check
  if (command !== 1) throw new ProxyHeaderError('PROXY v2 header with an unknown command');
  const family = (data[13] as number) >> 4;
  const block = data.subarray(V2_PREAMBLE, length);
  if (family === 1 && block.length >= 12) {
    return { peer: { address: [...block.subarray(0, 4)].join('.'), port: block.readUInt16BE(8) }, length };
  }
  if (family === 2 && block.length >= 36) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(block.readUInt16BE(i).toString(16));
    // The URL parser writes IPv6 addresses in their canonical short form (2001:db8::9).
    const address = new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
    return { peer: { address, port: block.readUInt16BE(32) }, length };
  }
  // AF_UNSPEC or AF_UNIX: no IP address to report; the proxy's own is kept.
  return { peer: undefined, length };
}

/**
 * Reads the header off the socket, puts back whatever followed it, and leaves the socket paused for the
 * next reader. Rejects (the caller closes the socket) on a missing or malformed header or after 5 s.
 */
export function readProxyHeader(socket: Socket): Promise<PeerAddress | undefined> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const finish = (error: Error | undefined, peer?: PeerAddress): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      if (error === undefined) resolve(peer);
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      let parsed: ReturnType<typeof parseProxyHeader>;
      try {
        parsed = parseProxyHeader(buffered);
      } catch (error) {
        finish(error as Error);
        return;
      }
      if (parsed === 'incomplete') return;
      const rest = buffered.subarray(parsed.length);
      finish(undefined, parsed.peer);
      if (rest.length > 0) socket.unshift(rest);
    };
    const onClose = (): void => finish(new ProxyHeaderError('closed before the PROXY header'));
    const timer = setTimeout(
      () => finish(new ProxyHeaderError('no PROXY header within 5 s')),
      HEADER_TIMEOUT_MS,
    );
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}
