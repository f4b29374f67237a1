// aedes as the benchmark runs it: a plain net server on the given loopback port, TCP_NODELAY like the others,
// and with a second port argument also MQTT over WebSocket (ws, as aedes' own example serves it).
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

const [port, wsPort] = process.argv.slice(2).map(Number);
const aedes = await Aedes.createBroker();
const server = createServer((socket) => {
  socket.setNoDelay(true);
  aedes.handle(socket);
});
server.listen(port, '127.0.0.1');
if (wsPort !== undefined && Number.isInteger(wsPort)) {
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (websocket, request) => {
    request.socket.setNoDelay(true);
    aedes.handle(createWebSocketStream(websocket), request);
  });
  http.listen(wsPort, '127.0.0.1');
}
process.on('SIGTERM', () => {
  server.close();
  aedes.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
