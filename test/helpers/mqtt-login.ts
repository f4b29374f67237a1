// MQTT.js logins for auth tests against a started broker: connect as a user and see what the broker said.
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';

const TIMEOUT_MS = 5000;

export interface Login {
  /** Set when the broker accepted the connection. */
  client?: MqttClient;
  /** CONNACK return / reason code: 0 accepted, 4 / 5 (3.1.1) or 0x86 / 0x87 (5.0) refused. */
  code: number;
}

export async function login(
  port: number,
  username: string,
  password: string,
  version: 4 | 5 = 4,
): Promise<Login> {
  const client = mqtt.connect({
    host: '127.0.0.1',
    port,
    username,
    password,
    protocolVersion: version,
    reconnectPeriod: 0,
    connectTimeout: TIMEOUT_MS,
    clientId: `${username}-${Math.random().toString(16).slice(2, 10)}`,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error(`no CONNACK for ${username} within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve({ client, code: 0 });
    });
    client.once('error', (error: Error & { code?: number }) => {
      clearTimeout(timer);
      client.end(true);
      resolve({ code: error.code ?? -1 });
    });
  });
}

/** The SUBACK code of one SUBSCRIBE: the granted QoS, 0x80 refused (3.1.1) or the MQTT 5 reason (0x87). */
export async function subscribeCode(client: MqttClient, filter: string, qos: 0 | 1 | 2 = 1): Promise<number> {
  try {
    const granted = await client.subscribeAsync(filter, { qos });
    return granted[0]?.qos ?? -1;
  } catch (error) {
    // MQTT.js rejects an MQTT 5 SUBACK failure with the packet attached.
    const granted = (error as { packet?: { granted?: (number | { qos: number })[] } }).packet?.granted?.[0];
    if (granted === undefined) throw error;
    return typeof granted === 'number' ? granted : granted.qos;
  }
}

/** Resolves with the first message on `topic`, or undefined after `ms`. */
export function nextMessage(client: MqttClient, topic: string, ms = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.removeListener('message', onMessage);
      resolve(undefined);
    }, ms);
    const onMessage = (received: string, payload: Buffer): void => {
      if (received !== topic) return;
      clearTimeout(timer);
      client.removeListener('message', onMessage);
      resolve(payload.toString('utf8'));
    };
    client.on('message', onMessage);
  });
}
