// The websocket part of the bad-input corpus (issue 12 §1): bad handshakes, and raw frames a
// well-behaved client never sends — unmasked, invalid UTF-8 text, oversized, reserved bits,
// an unknown opcode, a fragmented control frame. Each gets its close code (RFC 6455 §7.4) or
// a 4xx; the server keeps serving and logs nothing at error level.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Application } from '@poor/core';
import { recordingLogger } from '../../core/test/helpers/transports.js';
import { websockets } from '../src/index.js';
import { handshakeRequest } from './helpers/handshake.js';

const HANDSHAKE = (port: number, extra: Record<string, string> = {}): string => handshakeRequest(port, '/echo', extra);

/** A client frame: FIN and opcode in the first byte, masked unless told otherwise. */
function frame(first: number, payload: Buffer, options: { masked?: boolean; declared?: number } = {}): Buffer {
  const masked = options.masked ?? true;
  const length = options.declared ?? payload.length;
  const head: number[] = [first];
  if (length < 126) head.push((masked ? 0x80 : 0) | length);
  else if (length < 65536) head.push((masked ? 0x80 : 0) | 126, length >> 8, length & 0xff);
  else {
    head.push((masked ? 0x80 : 0) | 127, 0, 0, 0, 0);
    head.push((length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const key = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload.map((byte, index) => byte ^ (key[index % 4] as number)));
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** Handshakes by hand, sends `bytes`, and reports the HTTP status and the close code the server sent. */
function exchange(port: number, handshake: string, bytes?: Buffer): Promise<{ status: number; close?: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let sent = false;
    const done = (): void => {
      const text = data.toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const split = data.indexOf('\r\n\r\n');
      const rest = split >= 0 ? data.subarray(split + 4) : Buffer.alloc(0);
      // the server's close frame: opcode 8, unmasked, the code in the first two payload bytes
      const close = rest[0] === 0x88 && (rest[1] ?? 0) >= 2 ? rest.readUInt16BE(2) : undefined;
      resolve({ status, ...(close !== undefined ? { close } : {}) });
    };
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (!sent && bytes && data.includes('\r\n\r\n') && data.toString('latin1').startsWith('HTTP/1.1 101')) {
        sent = true;
        socket.write(bytes);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      done();
    });
    socket.write(handshake);
  });
}

describe('websocket bad input', () => {
  const log = recordingLogger();
  const app = new Application('ws-bad', { logger: log });
  const sockets = websockets({ maxPayload: 1024 });
  app.use(sockets);
  sockets.route('/echo', (ws) => ws.on('message', (data) => ws.send(String(data))));
  let port = 0;
  beforeAll(async () => {
    ({ port } = await app.listen({ port: 0 }));
  });
  afterAll(() => app.close());

  const handshakes: Array<[string, Record<string, string>, number]> = [
    ['no key', { 'Sec-WebSocket-Key': '' }, 400],
    ['a short key', { 'Sec-WebSocket-Key': 'short' }, 400],
    ['a key that is not base64 of 16 bytes', { 'Sec-WebSocket-Key': 'not base64 at all!!!!!==' }, 400],
    // RFC 6455 §4.2.2: an error "such as 426" with Sec-WebSocket-Version: 13; Poor sends 400
    ['version 8', { 'Sec-WebSocket-Version': '8' }, 400],
    ['no version', { 'Sec-WebSocket-Version': '' }, 400],
    ['version garbage', { 'Sec-WebSocket-Version': '13, 14' }, 400],
    ['Upgrade: something else', { Upgrade: 'h2c' }, 426],
  ];
  it.each(handshakes)('handshake with %s', async (_name, headers, status) => {
    expect((await exchange(port, HANDSHAKE(port, headers))).status).toBe(status);
  });

  const frames: Array<[string, () => Buffer, number]> = [
    ['an unmasked text frame', () => frame(0x81, Buffer.from('hi'), { masked: false }), 1002],
    ['invalid UTF-8 text', () => frame(0x81, Buffer.from([0xc3, 0x28])), 1007],
    ['a frame over maxPayload', () => frame(0x82, Buffer.alloc(2000, 1)), 1009],
    ['a declared 4 GiB frame', () => frame(0x82, Buffer.alloc(0), { declared: 0xfffffff0 }), 1009],
    ['reserved bits set', () => frame(0xf1, Buffer.from('hi')), 1002],
    ['an unknown opcode', () => frame(0x83, Buffer.from('hi')), 1002],
    ['a fragmented ping', () => frame(0x09, Buffer.from('hi')), 1002],
    ['a continuation with nothing to continue', () => frame(0x80, Buffer.from('hi')), 1002],
    ['a ping with a 200-byte payload', () => frame(0x89, Buffer.alloc(200, 1)), 1002],
  ];
  it.each(frames)('%s: its close code', async (_name, bytes, code) => {
    const result = await exchange(port, HANDSHAKE(port), bytes());
    expect(result.status).toBe(101);
    expect(result.close).toBe(code);
  });

  it('still serves a well-behaved client, and logged nothing at error level', async () => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/echo`);
    await new Promise((resolve) => client.once('open', resolve));
    const answer = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))));
    client.send('still here');
    expect(await answer).toBe('still here');
    client.close();
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});
