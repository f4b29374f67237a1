// Opening generator connections: raw sockets (optionally MQTT over WebSocket), CONNECT / CONNACK, SUBSCRIBE / SUBACK, with a bounded number
// of handshakes in flight so a broker is measured, not a SYN flood.
import { connect } from 'node:net';
import { connectPacket, PacketReader, subscribePacket } from './mqtt-bytes.mjs';
import { upgrade } from './ws-socket.mjs';

const HANDSHAKE_TIMEOUT_MS = 20000;

/**
 * Opens one MQTT connection and resolves with the socket once CONNACK (and SUBACK, when `filter` is given)
 * arrived. Later bytes go to `onPacket` through a fresh reader installed by the caller.
 */
export function openClient({
  host,
  port,
  clientId,
  filter,
  qos = 0,
  version = 4,
  localAddress,
  ws = false,
  clean = true,
}) {
  return new Promise((resolve, reject) => {
    const raw = connect({ host, port, localAddress, noDelay: true });
    let socket = raw;
    let stage = ws ? 'upgrade' : 'connack';
    const timer = setTimeout(() => fail(new Error(`${clientId}: no ${stage} in time`)), HANDSHAKE_TIMEOUT_MS);
    const fail = (error) => {
      clearTimeout(timer);
      raw.destroy();
      reject(error);
    };
    const reader = new PacketReader((type, _flags, buf, start) => {
      if (stage === 'connack' && type === 2) {
        const code = buf[start + 1];
        if (code !== 0) return fail(new Error(`${clientId}: CONNACK ${code}`));
        if (filter === undefined) return done();
        stage = 'suback';
        socket.write(subscribePacket(1, filter, qos, version));
      } else if (stage === 'suback' && type === 9) {
        const granted = buf[start + 2 + (version === 5 ? 1 + buf[start + 2] : 0)];
        if (granted >= 0x80) {
          return fail(new Error(`${clientId}: SUBACK refused ${filter} (0x${granted.toString(16)})`));
        }
        done();
      }
    });
    const onData = (chunk) => reader.push(chunk);
    const onError = (error) => fail(error);
    const done = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.on('error', () => undefined);
      resolve(socket);
    };
    raw.on('error', onError);
    raw.once('connect', async () => {
      if (ws) {
        try {
          socket = await upgrade(raw, host, port);
        } catch (error) {
          return fail(error);
        }
        socket.on('error', onError);
        stage = 'connack';
      }
      socket.on('data', onData);
      socket.write(connectPacket(clientId, 0, version, clean));
    });
  });
}

/** Opens many clients with at most `parallel` handshakes at a time; resolves in input order. */
export async function openMany(options, parallel = 128) {
  const sockets = new Array(options.length);
  let next = 0;
  const lane = async () => {
    while (next < options.length) {
      const index = next++;
      sockets[index] = await openClient(options[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, options.length) }, lane));
  return sockets;
}
