// Graceful shutdown under load (issue 12 §4): 200 requests in flight — slow handlers, streamed
// answers, uploads, websockets — when the server process gets SIGTERM. Every HTTP request
// completes, every websocket is closed with 1001, a new connection is refused, and the
// process exits before closeTimeout. The figure is "requests lost: 0".
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'shutdown-server.ts');

function get(
  agent: Agent,
  port: number,
  path: string,
  body?: { type: string; data: Buffer },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': body.type, 'content-length': body.data.length } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body?.data);
  });
}

function multipart(size: number): { type: string; data: Buffer } {
  const boundary = 'shutdownBoundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    data: Buffer.concat([Buffer.from(head), Buffer.alloc(size, 1), Buffer.from(`\r\n--${boundary}--\r\n`)]),
  };
}

describe('SIGTERM with 200 requests in flight', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it(
    'loses no request: all complete, websockets get 1001, new connections are refused',
    { timeout: 60_000 },
    async () => {
      child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      while (!/port (\d+)/.test(output)) await new Promise((resolve) => setTimeout(resolve, 20));
      const port = Number(/port (\d+)/.exec(output)?.[1]);
      const agent = new Agent({ keepAlive: true, maxSockets: 200 });
      // websockets first: open, and echoing
      const sockets = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
          await once(socket, 'open');
          return socket;
        }),
      );
      const closes = sockets.map((socket) => once(socket, 'close').then(([code]) => code as number));
      // keep-alive connections that already served a request, to see them closed after their next answer
      await Promise.all(Array.from({ length: 20 }, () => get(agent, port, '/short')));
      const kinds = [
        ...Array.from({ length: 90 }, () => () => get(agent, port, '/slow')),
        ...Array.from({ length: 50 }, () => () => get(agent, port, '/stream')),
        ...Array.from({ length: 40 }, () => () => get(agent, port, '/upload', multipart(256 * 1024))),
      ];
      const inFlight = kinds.map((send) =>
        send().then(
          (reply) => reply,
          (error: Error) => ({ status: 0, text: error.message }),
        ),
      );
      expect(inFlight.length + sockets.length).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const signalled = Date.now();
      child.kill('SIGTERM');
      // a new connection after the signal is refused once the listener has closed
      await new Promise((resolve) => setTimeout(resolve, 100));
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      const replies = await Promise.all(inFlight);
      const [code] = (await once(child, 'exit')) as [number];
      const exitedAfter = Date.now() - signalled;
      const lost = replies.filter((reply) => reply.status !== 200);
      expect(lost, 'requests lost').toEqual([]);
      expect(replies.filter((reply) => reply.text === 'slow')).toHaveLength(90);
      expect(replies.filter((reply) => reply.text.endsWith('chunk 9\n'))).toHaveLength(50);
      expect(replies.filter((reply) => reply.text === '{"size":262144}')).toHaveLength(40);
      expect(await Promise.all(closes)).toEqual(Array.from({ length: 20 }, () => 1001));
      expect(refused).toBe(true);
      expect(code).toBe(0);
      expect(exitedAfter).toBeLessThan(8000);
      expect(output).toMatch(/closed in \d+ ms/);
      agent.destroy();
    },
  );
});
