// One full garbage collection once the broker is up, before clients arrive. Loading modules and parsing the
// configuration leave a heap whose first mark-compact V8 otherwise runs during the first second of traffic:
// traced at 5,000 msg/s, that collection (20 ms pause plus 110 ms of incremental marking on a loaded machine)
// was the round-trip stall that set the latency benchmark's p99. After it, old space grows only by what live
// traffic promotes. Only the CLI does this: it owns the process; an embedding application owns its own heap.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function collectStartupGarbage(): void {
  // --expose-gc set now reaches only contexts made from here on (this one), never the application's globals.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
}
