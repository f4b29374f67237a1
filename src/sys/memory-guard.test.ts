import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryGuard } from './memory-guard.js';

test('memory_limit: PUBLISH bytes are refused from 7/8 of the limit (counted twice until memory is read again); CONNECT at the limit', () => {
  let live = 500;
  const guard = new MemoryGuard(
    1000,
    () => live,
    () => undefined,
  );
  assert.equal(guard.refuses(100), false, '500 + 2 x 100 stays under 875');
  live = 700; // the message was kept
  assert.equal(guard.refuses(100), true, 'read again: 700 + 200 passes 875');
  assert.equal(guard.full, false, 'connections are taken up to the limit itself');
  live = 1000;
  assert.equal(guard.full, true);
  live = 300; // freed
  assert.equal(guard.full, false);
  assert.equal(guard.refuses(100), false, 'recovered below the limit');
});
