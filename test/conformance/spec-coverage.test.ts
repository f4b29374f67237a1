// Every server rule of MQTT 3.1.1 and 5.0 is named by a test, except those listed in spec-uncovered.json: the
// list can only shrink. A new test that names a listed rule fails here until the rule leaves the list, so the
// list always says exactly what is still unproven (scripts/spec-coverage.mjs prints it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

type Versions = Record<'3.1.1' | '5.0', string[]>;

test('the server rules no test names are exactly those listed in spec-uncovered.json', () => {
  const report = JSON.parse(
    execFileSync(process.execPath, ['scripts/spec-coverage.mjs', '--json'], { encoding: 'utf8' }),
  ) as Record<keyof Versions, { total: number; uncovered: string[] }>;
  const listed = JSON.parse(
    readFileSync(new URL('./spec-uncovered.json', import.meta.url), 'utf8'),
  ) as Versions;
  assert.equal(report['3.1.1'].total, 110, 'MQTT 3.1.1 has 110 server rules');
  assert.equal(report['5.0'].total, 209, 'MQTT 5.0 has 209 server rules');
  for (const version of ['3.1.1', '5.0'] as const) {
    const uncovered = report[version].uncovered;
    const nowNamed = listed[version].filter((id) => !uncovered.includes(id));
    const lost = uncovered.filter((id) => !listed[version].includes(id));
    assert.deepEqual(lost, [], `MQTT ${version}: rules no test names any more`);
    assert.deepEqual(
      nowNamed,
      [],
      `MQTT ${version}: rules now named by a test; remove them from spec-uncovered.json`,
    );
  }
});
