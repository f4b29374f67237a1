// MQTT.js clients for tests: connect with a deadline, collect messages, close everything at the end.
import mqtt from 'mqtt';
import type { IClientOptions, IConnackPacket, MqttClient } from 'mqtt';
import { Inbox } from '../interop/support.js';

export interface TestClient {
  client: MqttClient;
  connack: IConnackPacket;
  inbox: Inbox;
}

/** Connects (rejecting after 5 s) with the inbox attached before CONNECT, so queued messages count. */
export async function connectClient(port: number, options: IClientOptions = {}): Promise<TestClient> {
  const client = mqtt.connect({
    host: '127.0.0.1',
    port,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    keepalive: 30,
    ...options,
  });
  const inbox = new Inbox();
  client.on('message', (topic, payload, packet) => {
    inbox.push({ topic, payload: Buffer.from(payload), qos: packet.qos, retain: packet.retain });
  });
  const connack = await new Promise<IConnackPacket>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('no CONNACK within 5 s')), 5000);
    client.once('connect', (packet) => {
      clearTimeout(timer);
      ok(packet);
    });
    client.once('error', (error) => {
      clearTimeout(timer);
      client.end(true);
      fail(error);
    });
  });
  return { client, connack, inbox };
}

export async function subscribe(client: MqttClient, filter: string, qos: 0 | 1 | 2 = 1): Promise<void> {
  await client.subscribeAsync(filter, { qos });
}

export async function closeClient(client: MqttClient): Promise<void> {
  await client.endAsync(true).catch(() => undefined);
}
