import type { Storage } from '../types.js';
import { MemoryRetainedStore } from './retained.js';
import { MemorySessionStore } from './session-store.js';

/** Both stores in memory; every write is "durable" at once, so flush never waits. */
export function createMemoryStorage(): Storage {
  return {
    sessions: new MemorySessionStore(),
    retained: new MemoryRetainedStore(),
    pending: false,
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    description: 'memory (not kept across restarts)',
  };
}
