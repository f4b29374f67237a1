// MQTT over WebSocket for the generator, on a raw socket: the HTTP upgrade, then every write goes out as one
// binary frame (header and bytes in one writev, masked with the all-zero key so the bytes need no copy) and
// the server's frames are unwrapped into the plain MQTT byte stream the readers expect.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';

const HANDSHAKE_LIMIT = 16 * 1024;

/** Sends the upgrade request on a connected socket and resolves with a socket-like WebSocket stream. */
export function upgrade(socket, host, port) {
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET /mqtt HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`,
  );
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > HANDSHAKE_LIMIT) reject(new Error('WebSocket handshake too long'));
        return;
      }
      socket.off('data', onData);
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!/^HTTP\/1\.1 101/.test(status)) return reject(new Error(`WebSocket upgrade refused: ${status}`));
      const ws = new WsSocket(socket);
      const rest = head.subarray(end + 4);
      resolve(ws);
      if (rest.length > 0) setImmediate(() => ws.unwrap(rest));
    };
    socket.on('data', onData);
  });
}

class WsSocket extends EventEmitter {
  #socket;
  #tail = undefined;
  /** Payload bytes of the current frame still to come; -1 between frames. */
  #remaining = -1;
  #opcode = 0;

  constructor(socket) {
    super();
    this.#socket = socket;
    socket.on('data', (chunk) => this.unwrap(chunk));
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', (error) => this.emit('error', error));
    socket.on('close', () => this.emit('close'));
  }

  write(bytes) {
    const n = bytes.length;
    let header;
    if (n < 126) header = Buffer.from([0x82, 0x80 | n, 0, 0, 0, 0]);
    else if (n < 65536) header = Buffer.from([0x82, 0x80 | 126, n >> 8, n & 0xff, 0, 0, 0, 0]);
    else {
      header = Buffer.alloc(14);
      header[0] = 0x82;
      header[1] = 0x80 | 127;
      header.writeUInt32BE(n, 6);
    }
    this.#socket.cork();
    this.#socket.write(header);
    const ok = this.#socket.write(bytes);
    this.#socket.uncork();
    return ok;
  }

  destroy() {
    this.#socket.destroy();
  }

  unwrap(chunk) {
    let buf = chunk;
    if (this.#tail !== undefined) {
      buf = Buffer.concat([this.#tail, chunk]);
      this.#tail = undefined;
    }
    let pos = 0;
    while (pos < buf.length) {
      if (this.#remaining < 0) {
        const header = readHeader(buf, pos);
        if (header === undefined) {
          this.#tail = Buffer.from(buf.subarray(pos));
          return;
        }
        this.#opcode = header.opcode;
        this.#remaining = header.length;
        pos = header.next;
        if (this.#opcode === 8) return void this.#socket.destroy();
      }
      const take = Math.min(this.#remaining, buf.length - pos);
      // Binary and continuation frames carry MQTT bytes; pings and pongs are skipped.
      if (take > 0 && (this.#opcode === 2 || this.#opcode === 0))
        this.emit('data', buf.subarray(pos, pos + take));
      pos += take;
      this.#remaining -= take;
      if (this.#remaining === 0) this.#remaining = -1;
    }
  }
}

/** A server frame header (never masked) at `pos`, or undefined when it is not complete yet. */
function readHeader(buf, pos) {
  if (buf.length - pos < 2) return undefined;
  const opcode = buf[pos] & 0x0f;
  const short = buf[pos + 1] & 0x7f;
  if (short < 126) return { opcode, length: short, next: pos + 2 };
  if (short === 126) {
    if (buf.length - pos < 4) return undefined;
    return { opcode, length: buf.readUInt16BE(pos + 2), next: pos + 4 };
  }
  if (buf.length - pos < 10) return undefined;
  return { opcode, length: Number(buf.readBigUInt64BE(pos + 2)), next: pos + 10 };
}
