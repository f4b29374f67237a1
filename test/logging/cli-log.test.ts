// The midge process logs the way mosquitto.conf asks: connection lines to every log_dest (a file and stdout
// here) with the log_timestamp_format time, the line mosquitto_pub's connection makes included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMidge } from '../helpers/midge-process.js';

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

test('log_dest file + stdout with log_timestamp_format: both get the connection lines of mosquitto_pub', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-cli-log-'));
  const file = join(dir, 'midge.log');
  const midge = await startMidge({
    conf: `log_dest file ${file}\nlog_dest stdout\nlog_timestamp_format %Y-%m-%dT%H:%M:%S\n`,
  });
  try {
    const pub = spawnSync(
      'mosquitto_pub',
      ['-h', '127.0.0.1', '-p', String(midge.port), '-i', 'cli-pub', '-u', 'pat', '-t', 'a', '-m', 'x'],
      { encoding: 'utf8', timeout: 10_000 },
    );
    assert.equal(pub.status, 0, `mosquitto_pub: ${pub.stderr}\nmidge: ${midge.output()}`);
    const wanted = /Client cli-pub disconnected\./;
    for (let i = 0; i < 200 && !wanted.test(midge.output()); i++) await sleep(50);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; time: string });
    const connected = lines.find((l) => l.msg.startsWith('New client connected'));
    assert.ok(connected, `file:\n${lines.map((l) => l.msg).join('\n')}\nstdout:\n${midge.output()}`);
    assert.match(
      connected.msg,
      /^New client connected from 127\.0\.0\.1:\d+ as cli-pub \(p2, c1, k60, u'pat'\)\.$/,
    );
    assert.match(connected.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.ok(lines.some((l) => l.msg === 'Client cli-pub disconnected.'));
    assert.match(midge.output(), /New client connected from 127\.0\.0\.1:\d+ as cli-pub/);
  } finally {
    await midge.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
