// What a contract suite needs from a backend: fresh storage, and the same storage opened again (a restart).
import type { Storage } from '../../src/store/types.js';
import type { Message } from '../../src/router/types.js';

export interface StorageHarness {
  /** Fresh, empty storage. */
  open(): Promise<Storage>;
  /** Closes the storage and opens what it stored again, as a restart at `now` would. */
  reopen(storage: Storage, now?: number): Promise<Storage>;
  /** Removes whatever open() created. */
  cleanup(): Promise<void>;
}

export function message(topic: string, text: string, extra: Partial<Message> = {}): Message {
  return { topic, payload: Buffer.from(text), qos: 1, retain: false, receivedAt: Date.now(), ...extra };
}

/** Runs `body` against fresh storage, closing and cleaning up whatever it ends with. */
export async function withStorage(
  harness: () => StorageHarness,
  body: (h: StorageHarness, storage: Storage) => Promise<Storage>,
): Promise<void> {
  const h = harness();
  let storage = await h.open();
  try {
    storage = await body(h, storage);
  } finally {
    await storage.close();
    await h.cleanup();
  }
}
