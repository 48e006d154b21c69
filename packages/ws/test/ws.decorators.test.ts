// Runs twice: TC39 decorators (standard project) and experimentalDecorators (legacy project).
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket as Client } from 'ws';
import { Application, before, controller, HTTPException, route, type Request } from '@poor/core';
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

@controller('/room')
class Room {
  @before()
  guard(req: Request): void {
    if (req.raw.headers.authorization !== 'Bearer member') throw new HTTPException(401);
  }

  @websocket('/live')
  live(ws: WebSocket): void {
    ws.send('live');
  }

  @route('/live')
  page(): string {
    return 'live page';
  }
}

/** Opens a client and resolves with its first message, or with the refusal's status. */
function firstMessage(url: string, headers: Record<string, string> = {}): Promise<string> {
  const client = new Client(url, { headers });
  client.on('error', () => undefined); // terminate() after a refusal reports one
  return new Promise((resolve) => {
    client.once('message', (data: Buffer) => {
      resolve(data.toString());
      client.close();
    });
    client.once('unexpected-response', (_request, response) => {
      resolve(`refused ${String(response.statusCode)}`);
      client.terminate();
    });
  });
}

describe('the order of add-ons, routes and decorators does not matter (issue 8, bug 2)', () => {
  const apps: Application[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('app.use(websockets()) after the controllers; HTTP and websocket routes on one path, either order', async () => {
    const sockets = websockets();
    const app = new Application('late', { logger: false, controllers: [Room] });
    app.use(sockets);
    sockets.route('/first-ws', (ws) => ws.send('first ws'));
    app.route('/first-ws', () => 'first ws page');
    app.route('/first-http', () => 'first http page');
    sockets.route('/first-http', (ws) => ws.send('first http'));
    apps.push(app);
    const { port } = await app.listen({ port: 0 });
    const base = `127.0.0.1:${port}`;
    for (const path of ['/first-ws', '/first-http']) {
      expect(await (await fetch(`http://${base}${path}`)).text()).toBe(`${path.slice(1).replace('-', ' ')} page`);
      expect(await firstMessage(`ws://${base}${path}`)).toBe(path.slice(1).replace('-', ' '));
    }
    // the controller's hook guards its websocket and its page, nothing else
    expect(await firstMessage(`ws://${base}/room/live`)).toBe('refused 401');
    expect(await firstMessage(`ws://${base}/room/live`, { authorization: 'Bearer member' })).toBe('live');
    expect((await fetch(`http://${base}/room/live`)).status).toBe(401);
    expect((await fetch(`http://${base}/first-ws`)).status).toBe(200);
  });
});

describe('@websocket without the add-on', () => {
  it('says to install websockets() from @poor/ws', async () => {
    class Lonely {
      @websocket('/alone')
      alone(ws: WebSocket): void {
        ws.close();
      }
    }
    const app = new Application('no-add-on', { logger: false, controllers: [Lonely] });
    await expect(app.ready()).rejects.toThrow(
      "no add-on handles '@websocket' members (Lonely.alone); install it with app.use(websockets()) from @poor/ws",
    );
  });
});
