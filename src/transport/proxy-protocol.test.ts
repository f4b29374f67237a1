import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyHeaderError, parseProxyHeader } from './proxy-protocol.js';

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

function v2(command: number, family: number, block: Buffer): Buffer {
  const preamble = Buffer.alloc(4);
  preamble[0] = 0x20 | command;
  preamble[1] = family;
  preamble.writeUInt16BE(block.length, 2);
  return Buffer.concat([SIGNATURE, preamble, block]);
}

function ipv4Block(source: number[], sourcePort: number): Buffer {
  const block = Buffer.alloc(12);
  Buffer.from(source).copy(block, 0);
  Buffer.from([127, 0, 0, 1]).copy(block, 4);
  block.writeUInt16BE(sourcePort, 8);
  block.writeUInt16BE(1883, 10);
  return block;
}

test('v1 TCP4 and TCP6 headers give the source address and port; the header length excludes what follows', () => {
  const header = 'PROXY TCP4 203.0.113.9 10.0.0.1 51000 1883\r\n';
  assert.deepEqual(parseProxyHeader(Buffer.from(`${header}\x10rest`)), {
    peer: { address: '203.0.113.9', port: 51000 },
    length: header.length,
  });
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::7 ::1 4000 1883\r\n')), {
    peer: { address: '2001:db8::7', port: 4000 },
    length: 38,
  });
});

test('v1 UNKNOWN keeps the proxy address', () => {
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n')), { peer: undefined, length: 15 });
});

test('an unfinished header asks for more bytes', () => {
  assert.equal(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4')), 'incomplete');
  assert.equal(parseProxyHeader(Buffer.from('PRO')), 'incomplete');
  assert.equal(parseProxyHeader(SIGNATURE.subarray(0, 5)), 'incomplete');
  assert.equal(parseProxyHeader(v2(1, 0x11, ipv4Block([1, 2, 3, 4], 5)).subarray(0, 20)), 'incomplete');
});

test('anything that is not a PROXY header is refused', () => {
  const bad = [
    Buffer.from([0x10, 0x0c, 0x00, 0x04]), // an MQTT CONNECT without a header
    Buffer.from('GET / HTTP/1.1\r\n'),
    Buffer.from('PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n'),
    Buffer.from('PROXY TCP4 1.2.3.4 10.0.0.1 70000 2\r\n'),
    Buffer.from('PROXY TCP4 1.2.3.4\r\n'),
    Buffer.from(`PROXY TCP4 ${'1'.repeat(120)}`),
    Buffer.concat([SIGNATURE.subarray(0, 11), Buffer.from([0x00])]),
    Buffer.concat([SIGNATURE, Buffer.from([0x31, 0x11, 0x00, 0x00])]), // version 3
    Buffer.concat([SIGNATURE, Buffer.from([0x2f, 0x11, 0x00, 0x00])]), // command 15
  ];
  for (const data of bad)
    assert.throws(() => parseProxyHeader(data), ProxyHeaderError, data.toString('latin1'));
});

test('v2 PROXY over IPv4 and IPv6, LOCAL, and TLVs after the addresses', () => {
  assert.deepEqual(parseProxyHeader(v2(1, 0x11, ipv4Block([198, 51, 100, 4], 4242))), {
    peer: { address: '198.51.100.4', port: 4242 },
    length: 28,
  });
  const v6 = Buffer.alloc(36);
  v6.writeUInt16BE(0x2001, 0);
  v6.writeUInt16BE(0x0db8, 2);
  v6.writeUInt16BE(0x0009, 14);
  v6.writeUInt16BE(6000, 32);
  assert.deepEqual(parseProxyHeader(v2(1, 0x21, v6)), {
    peer: { address: '2001:db8::9', port: 6000 },
    length: 52,
  });
  assert.deepEqual(parseProxyHeader(v2(0, 0x00, Buffer.alloc(0))), { peer: undefined, length: 16 });
  const withTlv = Buffer.concat([ipv4Block([192, 0, 2, 1], 1), Buffer.from([0x01, 0x00, 0x02, 0x68, 0x32])]);
  assert.deepEqual(parseProxyHeader(v2(1, 0x11, withTlv)), {
    peer: { address: '192.0.2.1', port: 1 },
    length: 33,
  });
});
