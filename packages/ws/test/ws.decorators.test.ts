// Runs twice: TC39 decorators (standard project) and experimentalDecorators (legacy project).
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket as Client } from 'ws';
import { Application, controller, route, type Request } from '@poor/core';
import { websocket, websockets, type WebSocket } from '../src/index.js';

@controller('/chat')
class Chat {
  readonly greeting = 'welcome';

  @route('/')
  page(): string {
    return 'chat page';
  }

  @websocket('/<room>/<seat:int>')
  join(ws: WebSocket, req: Request, room: string, seat: number): void {
    ws.send(JSON.stringify({ greeting: this.greeting, room, seat, next: seat + 1, rule: req.uriRule }));
    ws.on('message', (data) => ws.send(`${room}: ${String(data)}`));
  }
}

describe('@websocket on a controller', () => {
  const app = new Application('decorated', { logger: false, addOns: [websockets()], controllers: [Chat] });
  afterAll(() => app.close());

  it('routes with the controller prefix, typed parameters and a bound method', async () => {
    const { port } = await app.listen({ port: 0 });
    expect(await (await fetch(`http://127.0.0.1:${port}/chat/`)).text()).toBe('chat page');
    expect((await fetch(`http://127.0.0.1:${port}/chat/lobby/3`)).status).toBe(426);
    const client = new Client(`ws://127.0.0.1:${port}/chat/lobby/3`);
    const messages: string[] = [];
    client.on('message', (data: Buffer) => messages.push(data.toString()));
    await once(client, 'open');
    client.send('hi');
    while (messages.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(JSON.parse(messages[0] as string)).toEqual({
      greeting: 'welcome',
      room: 'lobby',
      seat: 3,
      next: 4,
      rule: '/chat/<room>/<seat:int>',
    });
    expect(messages[1]).toBe('lobby: hi');
    client.close();
    await once(client, 'close');
  });

  it('refuses a method whose parameters do not fit the pattern (type level)', () => {
    class Wrong {
      // @ts-expect-error seat is a number in the pattern
      @websocket('/<seat:int>')
      join(_ws: WebSocket, _req: Request, _seat: string): void {}
    }
    expect(Wrong).toBeDefined();
  });
});
