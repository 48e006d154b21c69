// Issue 14 against the examples as shipped: what users copy must clean up and stay quiet.
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Application, Logger } from '@poor/core';
import { recordingLogger, until } from '../../packages/core/test/helpers/transports.js';
import { app as putFile } from '../put-file.js';
import { app as simpleJson } from '../simple-json.js';
import { app as simple } from '../simple.js';

const uploads = join(process.cwd(), 'upload');
const listFiles = (): string[] => (existsSync(uploads) ? readdirSync(uploads) : []);

/** Resolves once the app is done with its next request (phase onResponse: its response closed). */
function nextResponse(app: Application): Promise<void> {
  return new Promise((resolve) => {
    const hook = (): void => {
      app.popHook('onResponse', hook);
      resolve();
    };
    app.addHook('onResponse', hook);
  });
}

const opened: Application[] = [];
afterAll(async () => {
  for (const app of opened) await app.close();
});

async function portOf(app: Application): Promise<number> {
  opened.push(app);
  return (await app.listen({ port: 0 })).port;
}

/** Sends a request head and part of its body, then disconnects. */
function abortAfter(port: number, head: string, partial: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head + partial);
      setTimeout(() => socket.destroy(), 100);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => undefined);
  });
}

/** Swaps an app's logger for a recording one for the duration of `run`. */
async function recorded(app: Application, run: () => Promise<void>): Promise<ReturnType<typeof recordingLogger>> {
  const previous: Logger = app.logger;
  const logger = recordingLogger();
  app.logger = logger;
  try {
    await run();
  } finally {
    app.logger = previous;
  }
  return logger;
}

describe('examples/simple.ts /test/upload cleans up on every outcome (issue 14, bug 6)', () => {
  it('a client that aborts mid-file leaves nothing in ./upload, and nothing is logged as a crash', async () => {
    const port = await portOf(simple);
    const before = listFiles();
    const done = nextResponse(simple);
    const logger = await recorded(simple, () =>
      abortAfter(
        port,
        'POST /test/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 10000000\r\n\r\n',
        '--B\r\nContent-Disposition: form-data; name="file_0"; filename="partial.bin"\r\nContent-Type: application/octet-stream\r\n\r\n' +
          'x'.repeat(200_000),
      ).then(() => done),
    );
    // The temporary file is removed once the response closed, asynchronously.
    await until(
      () => listFiles().length === before.length,
      () => `files left in ./upload: ${listFiles().join(', ')}`,
    );
    expect(listFiles()).toEqual(before);
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});

describe('examples/put-file.ts: an aborted PUT (issue 14, bug 3)', () => {
  it('is not logged as a handler failure', async () => {
    const port = await portOf(putFile);
    const done = nextResponse(putFile);
    const logger = await recorded(putFile, () =>
      abortAfter(
        port,
        'PUT /temporary/partial.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n',
        'x'.repeat(100_000),
      ).then(() => done),
    );
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});

describe('examples/simple-json.ts echo of deep JSON (issue 14, bug 4)', () => {
  it('answers 400 instead of overflowing the stack while answering', async () => {
    const port = await portOf(simpleJson);
    const body = '['.repeat(5000) + ']'.repeat(5000);
    const reply = await fetch(`http://127.0.0.1:${port}/test/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(reply.status).toBe(400);
    expect(await reply.text()).toContain('nested deeper than 256 levels');
  });
});
