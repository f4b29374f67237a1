// The broker under fuzz, in its own process so its memory is measured apart from the fuzzer's: TCP and
// WebSocket listeners on loopback ephemeral ports. Answers 'memory' (after two full collections) and 'stop'
// messages from the parent over IPC.
import pino from 'pino';
import { createBroker } from '../../src/index.js';

const send = (message: unknown): void => {
  process.send?.(message);
};

const broker = createBroker(
  {
    listeners: [
      { port: 0, host: '127.0.0.1', protocol: 'mqtt' },
      { port: 0, host: '127.0.0.1', protocol: 'websockets' },
    ],
    allowAnonymous: true,
    sysInterval: 0,
  },
  { logger: pino({ level: 'silent' }) },
);
await broker.start();
send({ type: 'ready', ports: broker.addresses().map((a) => a.port) });

process.on('message', (message) => {
  if (message === 'memory') {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    send({ type: 'memory', heapUsed, rss });
  } else if (message === 'stop') {
    void broker.stop().then(() => process.exit(0));
  }
});
