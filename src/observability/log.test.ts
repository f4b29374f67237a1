import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, createSilentLogger } from './log.js';

function capture(isTTY = false): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  const chunks: string[] = [];
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  if (isTTY) stream.isTTY = true;
  return { stream, text: () => chunks.join('') };
}

test('JSON lines when the destination is not a TTY', () => {
  const out = capture();
  const log = createLogger({ destination: out.stream });
  log.info({ clientId: 'c1' }, 'client connected');
  log.debug('hidden at info level');
  const lines = out.text().trim().split('\n');
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  assert.equal(record.msg, 'client connected');
  assert.equal(record.clientId, 'c1');
  assert.equal(record.level, 30);
  assert.equal(typeof record.time, 'string');
  assert.equal(record.pid, undefined);
});

test('verbose logs debug; an explicit level wins', () => {
  const out = capture();
  createLogger({ verbose: true, destination: out.stream }).debug('shown');
  assert.match(out.text(), /"msg":"shown"/);
  const quiet = capture();
  createLogger({ verbose: true, level: 'warn', destination: quiet.stream }).info('not shown');
  assert.equal(quiet.text(), '');
});

test('human-readable when the destination is a TTY or json is false; json true forces JSON', () => {
  const tty = capture(true);
  createLogger({ destination: tty.stream }).info('listening on 127.0.0.1:1883');
  assert.match(tty.text(), /INFO.*listening on 127\.0\.0\.1:1883/);
  assert.doesNotMatch(tty.text(), /"msg"/);
  const plain = capture();
  createLogger({ json: false, destination: plain.stream }).warn('careful');
  assert.match(plain.text(), /WARN.*careful/);
  const forced = capture(true);
  createLogger({ json: true, destination: forced.stream }).info('machine');
  assert.match(forced.text(), /"msg":"machine"/);
});

test('timestamp false leaves the time out', () => {
  const out = capture();
  createLogger({ timestamp: false, destination: out.stream }).info('x');
  assert.equal((JSON.parse(out.text()) as Record<string, unknown>).time, undefined);
});

test('a file destination appends JSON lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-log-'));
  try {
    const file = join(dir, 'logs', 'midge.log');
    createLogger({ destination: { file } }).info('to file');
    createLogger({ destination: { file } }).info('again');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { msg: string }).msg),
      ['to file', 'again'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('silent loggers log nothing, and loggers share no state', () => {
  const out = capture();
  const silent = createLogger({ silent: true, destination: out.stream });
  silent.error('dropped');
  assert.equal(out.text(), '');
  assert.equal(createSilentLogger().level, 'silent');
  const a = createLogger({ verbose: true, destination: capture().stream });
  const b = createLogger({ destination: capture().stream });
  assert.equal(a.level, 'debug');
  assert.equal(b.level, 'info');
});

test('types keep only the chosen categories: notice lines out, a tagged subscribe line in', () => {
  const out = capture();
  const log = createLogger({ destination: out.stream, types: ['error', 'subscribe'] });
  log.info('a notice');
  log.info({ logType: 'subscribe' }, 'c1 1 a/b');
  log.warn('a warning');
  log.error('an error');
  const messages = out
    .text()
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
  assert.deepEqual(messages, ['c1 1 a/b', 'an error']);
});

test('log_type debug lowers the level; none alone is silent', () => {
  const out = capture();
  createLogger({ destination: out.stream, types: ['debug'] }).debug('shown');
  assert.match(out.text(), /"msg":"shown"/);
  const none = capture();
  createLogger({ destination: none.stream, types: ['none'] }).error('not shown');
  assert.equal(none.text(), '');
});

test('several destinations each get every line; a timestamp format is used as the time', () => {
  const a = capture();
  const b = capture();
  const log = createLogger({ destination: [a.stream, b.stream], timestampFormat: '%Y|%m', verbose: true });
  log.debug('both');
  for (const out of [a, b]) {
    const record = JSON.parse(out.text().trim()) as Record<string, unknown>;
    assert.equal(record.msg, 'both');
    assert.match(String(record.time), /^\d{4}\|\d\d$/);
  }
});
