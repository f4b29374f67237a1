// The store contracts against SQLite: every reopen closes the database and opens the file again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStorage } from '../../src/store/sqlite/storage.js';
import { retainedStoreContract } from './retained-store.js';
import { sessionStoreContract } from './session-store.js';
import type { StorageHarness } from './harness.js';

const harness = (): StorageHarness => {
  let dir: string | undefined;
  const openAt = async (now?: number) => {
    dir ??= await mkdtemp(join(tmpdir(), 'midge-sqlite-contract-'));
    return openSqliteStorage({
      file: join(dir, 'data', 'midge.db'),
      sync: 'full',
      now,
      onFailure: (error) => {
        throw error;
      },
    });
  };
  return {
    open: () => openAt(),
    reopen: async (storage, now) => {
      await storage.close();
      return openAt(now);
    },
    cleanup: async () => {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
};

sessionStoreContract('sqlite', harness);
retainedStoreContract('sqlite', harness);
