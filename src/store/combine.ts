// One Storage from two backends: the sessions of one (a node's own SQLite file, `cluster_session_store
// local`) and the retained messages of another (Redis, shared by the cluster). The durability barrier covers
// both, so an acknowledgement waits for the queue rows and the retained write alike.
import type { DurabilityBarrier, RetainedStore, Storage } from './types.js';

export interface RetainedStorage extends DurabilityBarrier {
  readonly retained: RetainedStore;
  close(): Promise<void>;
  readonly description: string;
}

export function withRetainedFrom(sessions: Storage, retained: RetainedStorage): Storage {
  return {
    sessions: sessions.sessions,
    retained: retained.retained,
    get pending() {
      return sessions.pending || retained.pending;
    },
    flush: async () => {
      await Promise.all([sessions.flush(), retained.flush()]);
    },
    close: async () => {
      await Promise.all([sessions.close(), retained.close()]);
    },
    description: `sessions: ${sessions.description}; retained messages: ${retained.description}`,
  };
}
