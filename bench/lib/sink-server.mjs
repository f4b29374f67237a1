// The calibration target: a trivial MQTT forwarder with no topic matching, no sessions and no limits. It
// answers the handshakes and acks and copies every PUBLISH to every subscriber, writing each socket's output
// once per read. Whatever rate the generator reaches through it is the ceiling of the generator itself.
import { createServer } from 'node:net';
import { PacketReader } from './mqtt-bytes.mjs';

const port = Number(process.argv[2]);
const subscribers = new Set();
const corked = [];

function out(socket, bytes) {
  if (!socket.corkedByRead) {
    socket.corkedByRead = true;
    socket.cork();
    corked.push(socket);
  }
  socket.write(bytes);
}

function flush() {
  for (const socket of corked) {
    socket.corkedByRead = false;
    socket.uncork();
  }
  corked.length = 0;
}

const server = createServer({ noDelay: true }, (socket) => {
  let runStart = -1;
  let runEnd = -1;
  let runBuf;
  const forwardRun = () => {
    if (runStart < 0) return;
    const bytes = runBuf.subarray(runStart, runEnd);
    for (const sub of subscribers) out(sub, bytes);
    runStart = -1;
  };
  const reader = new PacketReader((type, flags, buf, start, end, frameStart) => {
    if (type === 3) {
      // Consecutive PUBLISH packets of one read go on as one slice.
      if (runStart < 0 || runBuf !== buf || runEnd !== frameStart) {
        forwardRun();
        runStart = frameStart;
        runBuf = buf;
      }
      runEnd = end;
      const qos = (flags >> 1) & 3;
      if (qos > 0) {
        const id = buf.readUInt16BE(start + 2 + buf.readUInt16BE(start));
        out(socket, Buffer.from([qos === 1 ? 0x40 : 0x50, 2, id >> 8, id & 0xff]));
      }
      return;
    }
    forwardRun();
    if (type === 1) out(socket, Buffer.from([0x20, 2, 0, 0]));
    else if (type === 8) {
      subscribers.add(socket);
      out(socket, Buffer.from([0x90, 3, buf[start], buf[start + 1], buf[end - 1] & 3]));
    } else if (type === 5) out(socket, Buffer.from([0x62, 2, buf[start], buf[start + 1]]));
    else if (type === 6) out(socket, Buffer.from([0x70, 2, buf[start], buf[start + 1]]));
    else if (type === 12) out(socket, Buffer.from([0xd0, 0]));
    else if (type === 14) socket.end();
  });
  socket.on('data', (chunk) => {
    reader.push(chunk);
    forwardRun();
    flush();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => subscribers.delete(socket));
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
