// The echo of docs/websockets.md, run as it is written there (only its port is made free):
// every message comes back with the type it was sent with (issue 25, 11).
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket as Client } from 'ws';
import type { Application } from '@poor/core';

const here = dirname(fileURLToPath(import.meta.url));
const docs = readFileSync(join(here, '../../../docs/websockets.md'), 'utf8');
const block = /```ts\n(\/\/ echo\.ts\n[\s\S]*?)```/.exec(docs)?.[1];

describe('the echo snippet of docs/websockets.md', () => {
  let app: Application | undefined;
  afterAll(() => app?.close());

  it('keeps each message type: text comes back as text, binary as binary', async () => {
    expect(block, 'a ```ts block starting with "// echo.ts" in docs/websockets.md').toBeDefined();
    const source = (block as string).replace('app.listen(8080)', 'app.listen({ port: 0 })');
    expect(source).not.toBe(block);
    const dir = join(here, '.generated');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'echo.ts');
    writeFileSync(file, source);
    ({ app } = (await import(pathToFileURL(file).href)) as { app: Application });
    const { port } = app.server?.address() as AddressInfo;
    const client = new Client(`ws://127.0.0.1:${port}/echo`);
    await once(client, 'open');
    const replies: Array<[string, boolean]> = [];
    client.on('message', (data: Buffer, binary: boolean) => replies.push([data.toString(), binary]));
    client.send('hello');
    client.send(Buffer.from('bytes'), { binary: true });
    for (const start = Date.now(); replies.length < 2;) {
      if (Date.now() - start > 10_000) throw new Error(`gave up waiting for two echoes: ${JSON.stringify(replies)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    client.close();
    expect(replies).toEqual([
      ['hello', false],
      ['bytes', true],
    ]);
  });
});
