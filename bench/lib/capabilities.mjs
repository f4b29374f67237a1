// Features that other work is still adding to Midge are detected by trying them on a running broker, so the
// benchmark picks them up the day they land instead of on a flag.
import { spawnSync } from 'node:child_process';
import { openClient } from './gen-connect.mjs';
import { publishPacket } from './mqtt-bytes.mjs';
import { startBroker } from './brokers.mjs';

/** The file-descriptor limit this process (and so every broker it starts) runs with. */
export function openFileLimit() {
  const soft = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
  const hard = Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim());
  return { soft, hard };
}

/** Does a $share subscription of an MQTT 5 client get the messages of its topic? */
async function sharedSubscriptions(port) {
  let sub;
  let pub;
  try {
    sub = await openClient({
      host: '127.0.0.1',
      port,
      clientId: 'cap-s',
      filter: '$share/g/cap/t',
      version: 5,
    });
    pub = await openClient({ host: '127.0.0.1', port, clientId: 'cap-p' });
    const got = new Promise((resolve) => {
      sub.once('data', () => resolve(true));
      setTimeout(() => resolve(false), 1000);
    });
    pub.write(publishPacket('cap/t', Buffer.from('x'), 0).bytes);
    return await got;
  } catch {
    return false;
  } finally {
    sub?.destroy();
    pub?.destroy();
  }
}

/** Does an MQTT connection over a WebSocket listener get its CONNACK? */
async function websocket(dir) {
  let broker;
  try {
    broker = await startBroker('midge', { dir, websocket: true });
    const client = await openClient({ host: '127.0.0.1', port: broker.port, clientId: 'cap-ws', ws: true });
    client.destroy();
    return true;
  } catch {
    return false;
  } finally {
    await broker?.stop();
  }
}

/** Detects what the built Midge offers. */
export async function detectCapabilities(dir) {
  const broker = await startBroker('midge', { dir });
  try {
    return {
      'shared-subscriptions': await sharedSubscriptions(broker.port),
      websocket: await websocket(dir),
    };
  } finally {
    await broker.stop();
  }
}
