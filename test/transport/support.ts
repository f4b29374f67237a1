// Shared by the transport tests: an in-process broker with several listeners, and MQTT.js clients that are
// connected (or refused) within a deadline and always closed.
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import pino from 'pino';
import { createBroker, type Broker, type ConfigInput, type ListenerAddress } from '../../src/index.js';
import { Inbox } from '../interop/support.js';

export const CONNECT_TIMEOUT_MS = 5000;

export interface Brokered {
  broker: Broker;
  /** The started listeners, in config order. */
  addresses: ListenerAddress[];
  stop(): Promise<void>;
}

/** With `logs`, every log line (debug and up, as parsed JSON) is pushed there. */
export async function startListeners(
  config: ConfigInput,
  logs?: Record<string, unknown>[],
): Promise<Brokered> {
  const logger =
    logs === undefined
      ? pino({ level: process.env.MIDGE_TEST_LOG ?? 'silent' })
      : pino(
          { level: 'debug' },
          { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
        );
  const broker = createBroker({ allowAnonymous: true, sysInterval: 0, ...config }, { logger });
  await broker.start();
  return { broker, addresses: broker.addresses(), stop: () => broker.stop() };
}

export interface TestClient {
  client: MqttClient;
  inbox: Inbox;
}

/** Tracks clients so every one is closed however a test ends. */
export class Clients {
  readonly #open: MqttClient[] = [];

  /** Resolves on CONNACK 0; rejects with the client's error (a refused handshake, a CONNACK code) or on timeout. */
  connect(options: IClientOptions): Promise<TestClient> {
    const client = mqtt.connect({
      host: '127.0.0.1',
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      protocolVersion: 4,
      ...options,
    });
    this.#open.push(client);
    const inbox = new Inbox();
    client.on('message', (topic, payload, packet) =>
      inbox.push({ topic, payload: Buffer.from(payload), qos: packet.qos, retain: packet.retain }),
    );
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('no CONNACK within 5 s')), CONNECT_TIMEOUT_MS);
      const done = (error?: Error): void => {
        clearTimeout(timer);
        client.removeAllListeners('connect');
        if (error === undefined) ok({ client, inbox });
        else fail(error);
      };
      client.once('connect', () => done());
      client.once('error', (error) => done(error));
      client.once('close', () => done(new Error('closed before CONNACK')));
    });
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#open.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  }
}
