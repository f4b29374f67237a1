// Starts a broker in this test process on an ephemeral loopback port.
import { createBroker, type Broker } from '../../src/index.js';
import type { ConfigInput } from '../../src/index.js';
import pino from 'pino';

export interface StartedBroker {
  broker: Broker;
  port: number;
  host: string;
  stop(): Promise<void>;
}

export async function startBroker(config: ConfigInput = {}): Promise<StartedBroker> {
  const broker = createBroker(
    {
      listeners: [{ port: 0, host: '127.0.0.1', protocol: 'mqtt' }],
      allowAnonymous: true,
      sysInterval: 0,
      ...config,
    },
    { logger: pino({ level: process.env.MIDGE_TEST_LOG ?? 'silent' }) },
  );
  await broker.start();
  const address = broker.addresses()[0];
  if (address === undefined) throw new Error('broker started no listener');
  return { broker, port: address.port, host: '127.0.0.1', stop: () => broker.stop() };
}
