import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application } from '../src/index.js';
import { rawExchange } from './helpers/transports.js';

function raw(port: number, data: string, until?: RegExp): Promise<string> {
  return rawExchange(port, data, { until });
}

describe('raw HTTP on a socket', () => {
  const app = new Application('wire', { logger: false });
  let port = 0;
  let closedGenerators = 0;
  let producedAfterClose = 0;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  app.route('/chunks', function* () {
    yield 'one';
    yield 'two';
  });
  app.route('/endless', async function* () {
    try {
      for (let index = 0; ; index += 1) {
        yield `chunk ${index}\n`.repeat(100);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } finally {
      closedGenerators += 1;
    }
  });
  app.route('/count-after-close', async function* (req) {
    let closed = false;
    req.rawResponse?.on('close', () => (closed = true));
    for (let index = 0; index < 10_000; index += 1) {
      if (closed) producedAfterClose += 1;
      yield 'x'.repeat(1024);
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  app.route('/head', () => 'has a body');

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    port = (await app.listen({ port: 0 })).port;
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await app.close();
  });

  it('streams a generator with chunked framing', async () => {
    const reply = await raw(port, 'GET /chunks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply).toMatch(/\r\nTransfer-Encoding: chunked\r\n/i);
    expect(reply).toContain('\r\n\r\n3\r\none\r\n3\r\ntwo\r\n0\r\n\r\n');
  });

  it('sends no body for HEAD, with the GET length', async () => {
    const reply = await raw(port, 'HEAD /head HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply).toMatch(/Content-Length: 10\r\n/);
    expect(reply.endsWith('\r\n\r\n')).toBe(true);
  });

  it('answers a malformed request line with 400 and keeps serving', async () => {
    const reply = await raw(port, 'GARBAGE\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    const next = await raw(port, 'GET /head HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(next).toMatch(/^HTTP\/1\.1 200/);
  });

  it('answers a method no route knows with 501 on an unknown path, 405 with Allow on a known one', async () => {
    const reply = await raw(port, 'PROPFIND /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 501/);
    const known = await raw(port, 'QUERY /head HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(known).toMatch(/^HTTP\/1\.1 405/);
    expect(known).toMatch(/\r\nAllow: GET, HEAD, OPTIONS\r\n/i);
  });

  it('sends its 431 to a client still sending a 1 MB header: closed lingering, not reset (issue 25, 8)', async () => {
    const refused = new Promise((resolve) => app.server?.once('clientError', () => setImmediate(resolve)));
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.pause(); // reads nothing until it has sent all it meant to
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<string | undefined>((resolve) => {
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
      socket.on('close', () => resolve(undefined));
    });
    socket.write(`GET /chunks HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(1 << 20)}`);
    await refused;
    // Still sending after the refusal: a reset now would destroy the answer unread.
    const sent = await new Promise<string>((resolve) =>
      socket.write(Buffer.alloc(1 << 20, 97), (error) => resolve(error ? String(error) : 'sent')),
    );
    socket.resume();
    const failure = await closed;
    expect({ sent, failure, answer: received.split('\r\n')[0] }).toEqual({
      sent: 'sent',
      failure: undefined,
      answer: 'HTTP/1.1 431 Request Header Fields Too Large',
    });
  });

  it('answers an invalid header with 400', async () => {
    const reply = await raw(port, 'GET /head HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
  });

  it('closes a generator when the client disconnects mid-stream, without unhandled rejections', async () => {
    await raw(port, 'GET /endless HTTP/1.1\r\nHost: x\r\n\r\n', /chunk 3/);
    await expect.poll(() => closedGenerators, { timeout: 3000 }).toBe(1);
    await raw(port, 'GET /count-after-close HTTP/1.1\r\nHost: x\r\n\r\n', /x{4096}/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(producedAfterClose).toBeLessThanOrEqual(1);
    expect(unhandled).toEqual([]);
  });
});
