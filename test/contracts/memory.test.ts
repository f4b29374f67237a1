// The store contracts against the memory backend: "reopen" hands the same objects to the next broker.
import { createMemoryStorage } from '../../src/store/memory/storage.js';
import { retainedStoreContract } from './retained-store.js';
import { sessionStoreContract } from './session-store.js';
import type { StorageHarness } from './harness.js';

const harness = (): StorageHarness => ({
  open: () => Promise.resolve(createMemoryStorage()),
  reopen: (storage) => Promise.resolve(storage),
  cleanup: () => Promise.resolve(),
});

sessionStoreContract('memory', harness);
retainedStoreContract('memory', harness);
