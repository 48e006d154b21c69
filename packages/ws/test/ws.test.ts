import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as Client } from 'ws';
import { Application, HTTPException, PoorSession, Response, SessionError, type Request } from '@poor/core';
import { websockets, type WebSocket, type WebSocketAddOn, type WebSocketOptions } from '../src/index.js';
import { handshakeRequest } from './helpers/handshake.js';

const apps: Application[] = [];
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  for (const app of apps.splice(0)) await app.close();
});

async function serve(
  setup: (app: Application, ws: WebSocketAddOn) => void,
  options: WebSocketOptions = {},
): Promise<{ app: Application; url: string; port: number }> {
  const ws = websockets(options);
  const app = new Application('ws-test', { logger: false }).use(ws);
  setup(app, ws);
  apps.push(app);
  const { port } = await app.listen({ port: 0 });
  return { app, url: `ws://127.0.0.1:${port}`, port };
}

interface Message {
  data: Buffer;
  binary: boolean;
}
const inboxes = new WeakMap<Client, { queue: Message[]; waiting: Array<(message: Message) => void> }>();

/** Connects a client whose messages are queued from the first one (none is missed). */
function open(url: string, options?: ConstructorParameters<typeof Client>[2]): Promise<Client> {
  const client = new Client(url, options);
  clients.push(client);
  const inbox = { queue: [] as Message[], waiting: [] as Array<(message: Message) => void> };
  inboxes.set(client, inbox);
  client.on('message', (data: Buffer, binary: boolean) => {
    const waiter = inbox.waiting.shift();
    if (waiter) waiter({ data, binary });
    else inbox.queue.push({ data, binary });
  });
  return new Promise((resolve, reject) => {
    client.once('open', () => resolve(client));
    client.once('error', reject);
  });
}

/** The client's next message. */
function next(client: Client): Promise<Message> {
  const inbox = inboxes.get(client);
  if (!inbox) throw new Error('not opened with open()');
  const queued = inbox.queue.shift();
  if (queued) return Promise.resolve(queued);
  return new Promise((resolve) => inbox.waiting.push(resolve));
}

/** Sends an upgrade request by hand and returns the raw answer. */
function rawUpgrade(port: number, path: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('connect', () => socket.write(handshakeRequest(port, path, headers)));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.startsWith('HTTP/1.1 101')) socket.destroy(); // a real handshake: enough
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('@poor/ws over real sockets', () => {
  it('echoes text and binary frames', async () => {
    const { url } = await serve((app, sockets) =>
      sockets.route('/echo', (ws) => {
        ws.on('message', (data, binary) => ws.send(data, { binary }));
      }),
    );
    const client = await open(`${url}/echo`);
    client.send('hello');
    const text = await next(client);
    expect(text.binary).toBe(false);
    expect(text.data.toString()).toBe('hello');
    const bytes = Buffer.from([0, 1, 2, 255]);
    client.send(bytes);
    const binary = await next(client);
    expect(binary.binary).toBe(true);
    expect(binary.data.equals(bytes)).toBe(true);
  });

  it('passes typed, converted route parameters and the request', async () => {
    const { url } = await serve((app, sockets) => {
      app.setFilter('slug', '[a-z-]+');
      sockets.route('/room/<id:int>/<name:slug>', (ws, req, id, name) => {
        ws.send(JSON.stringify({ id, type: typeof id, name, rule: req.uriRule, query: req.args.getFirst('q') }));
      });
    });
    const client = await open(`${url}/room/42/general-chat?q=x`);
    expect(JSON.parse((await next(client)).data.toString())).toEqual({
      id: 42,
      type: 'number',
      name: 'general-chat',
      rule: '/room/<id:int>/<name:slug>',
      query: 'x',
    });
  });

  it('publishes to a room: the sockets of a path, or those that joined a name; text stays text', async () => {
    const { app, url } = await serve((target, sockets) => {
      sockets.route('/chat/<room>/<seat:int>', (socket, _req, room: string) => {
        sockets.join(socket, `room:${room}`);
        socket.send('joined');
      });
      target.route('/say/<room>', async (req, room: string) => {
        await sockets.publish(`room:${room}`, req.query);
        await sockets.publish(`room:${room}`, Buffer.from([1, 2, 3]));
        return 'said';
      });
    });
    const lobby = [await open(`${url}/chat/lobby/1`), await open(`${url}/chat/lobby/2`)];
    const other = await open(`${url}/chat/other/1`);
    for (const client of [...lobby, other]) expect((await next(client)).data.toString()).toBe('joined');
    expect((await app.inject('/say/lobby?hello')).text()).toBe('said');
    for (const client of lobby) {
      const text = await next(client);
      expect([text.data.toString(), text.binary]).toEqual(['hello', false]);
      const bytes = await next(client);
      expect([[...bytes.data], bytes.binary]).toEqual([[1, 2, 3], true]);
    }
    // The other room got nothing: its next message is the one sent to it now.
    await app.inject('/say/other?only-you');
    expect((await next(other)).data.toString()).toBe('only-you');
  });

  it('writes one access log line for an accepted upgrade (101), with the time and the request id', async () => {
    const lines: string[] = [];
    const logger = {
      error() {},
      warn() {},
      info: (...args: unknown[]) => void lines.push(String(args.at(-1))),
      debug() {},
    };
    const sockets = websockets();
    const app = new Application('ws-log', { logger, accessLog: true }).use(sockets);
    sockets.route('/live', (socket) => socket.send('hi'));
    apps.push(app);
    const { port } = await app.listen({ port: 0 });
    const client = await open(`ws://127.0.0.1:${port}/live`);
    expect((await next(client)).data.toString()).toBe('hi');
    const closed = once(client, 'close');
    client.close();
    await closed;
    await app.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z [\w-]{36} GET \/live 101 websocket$/);
  });

  it('closes a message over maxPayload with 1009', async () => {
    const { url } = await serve((_app, sockets) => sockets.route('/big', () => undefined), { maxPayload: 1024 });
    const client = await open(`${url}/big`);
    const closed = once(client, 'close');
    client.send(Buffer.alloc(4096));
    const [code] = (await closed) as [number];
    expect(code).toBe(1009);
  });

  it('takes a message in many fragments once maxFragments allows (Autobahn 9.3/9.4), and caps it by default', async () => {
    /** Sends `size` bytes as fragments of `piece` bytes; resolves with the echo, or the close code. */
    const fragmented = async (url: string, size: number, piece: number): Promise<number | string> => {
      const client = await open(`${url}/echo`);
      const closed = once(client, 'close');
      const data = Buffer.alloc(size, 0x61);
      for (let offset = 0; offset < size; offset += piece) {
        client.send(data.subarray(offset, offset + piece), { binary: false, fin: offset + piece >= size });
      }
      const answer = await Promise.race([next(client).then(({ data: echo }) => `echo ${echo.length}`), closed]);
      return typeof answer === 'string' ? answer : (answer as [number])[0];
    };
    const echo = (_app: Application, sockets: WebSocketAddOn): void => {
      sockets.route('/echo', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
    };
    // 2 MiB in 64-byte fragments: 32 768 fragments, over ws's default of 16 384.
    const capped = await serve(echo, { maxPayload: 4 * 1024 * 1024 });
    expect(await fragmented(capped.url, 2 * 1024 * 1024, 64)).toBe(1008);
    const raised = await serve(echo, { maxPayload: 4 * 1024 * 1024, maxFragments: 65_536, maxBufferedChunks: 0 });
    expect(await fragmented(raised.url, 2 * 1024 * 1024, 64)).toBe(`echo ${2 * 1024 * 1024}`);
  });

  it('runs before hooks: a refusal is a real HTTP response on the socket', async () => {
    const seen: string[] = [];
    const { url, port } = await serve((app, sockets) => {
      app.before((req: Request) => {
        seen.push(req.path);
        if (req.raw.headers.authorization !== 'Bearer ok') throw new HTTPException(401, { error: 'log in first' });
        return undefined;
      });
      sockets.route('/private', (ws, req) => ws.send(`hi ${String(req.raw.headers.authorization)}`));
    });
    const refused = await rawUpgrade(port, '/private');
    expect(refused).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(refused).toContain('Connection: close');
    expect(refused).toContain('Content-Type: text/html; charset=utf-8');
    expect(refused).toContain('<pre>log in first</pre>'); // the application's own 401 page
    const accepted = await open(`${url}/private`, { headers: { authorization: 'Bearer ok' } });
    expect((await next(accepted)).data.toString()).toBe('hi Bearer ok');
    expect(seen).toEqual(['/private', '/private']);
  });

  it('sessions work unchanged: a before hook opens the PoorSession cookie of the upgrade', async () => {
    const secret = 'ws-session-secret, 32 bytes or more';
    const { url, port, app } = await serve((target, sockets) => {
      target.route('/login', () => {
        const session = new PoorSession(secret);
        session.data = { user: 'alice' };
        const response = new Response('logged in');
        session.header(response);
        return response;
      });
      target.before((req: Request) => {
        if (req.path === '/login') return undefined;
        const session = new PoorSession(secret).load(req.cookies); // SessionError if forged
        if (!session.data.user) throw new HTTPException(401, { error: 'no session' });
        req.user = session.data.user;
        return undefined;
      });
      target.errorHandler(SessionError, () => new Response('forged', { status: 403 }));
      sockets.route('/me', (ws, req) => ws.send(`you are ${String(req.user)}`));
    });
    app.logger = { error() {}, warn() {}, info() {}, debug() {} };
    const login = await fetch(`http://127.0.0.1:${port}/login`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^SESSID=/);
    const client = await open(`${url}/me`, { headers: { cookie } });
    expect((await next(client)).data.toString()).toBe('you are alice');
    expect(await rawUpgrade(port, '/me')).toMatch(/^HTTP\/1\.1 401 /);
    const forged = await rawUpgrade(port, '/me', { Cookie: 'SESSID=forged' });
    expect(forged).toMatch(/^HTTP\/1\.1 403 /); // by the app's SessionError handler, as over HTTP
    expect(forged).toMatch(/\r\n\r\nforged$/);
  });

  it('a hook answering with a response refuses with that response', async () => {
    const { port } = await serve((app, sockets) => {
      app.before(() => 'go away');
      sockets.route('/x', () => undefined);
    });
    const refused = await rawUpgrade(port, '/x');
    expect(refused).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(refused).toContain('text/html');
    expect(refused).toMatch(/\r\n\r\ngo away$/);
  });

  it('refuses unknown paths (404), bad handshakes (400), other methods and bad origins (403)', async () => {
    const { port } = await serve((_app, sockets) => sockets.route('/ws', () => undefined), {
      allowedOrigins: ['https://good.example'],
    });
    expect(await rawUpgrade(port, '/nope', { Origin: 'https://good.example' })).toMatch(/^HTTP\/1\.1 404 /);
    expect(await rawUpgrade(port, '/ws', { Origin: 'https://evil.example' })).toMatch(/^HTTP\/1\.1 403 /);
    expect(await rawUpgrade(port, '/ws', { Origin: '' })).toMatch(/^HTTP\/1\.1 403 /);
    expect(await rawUpgrade(port, '/ws', { Origin: 'https://good.example', 'Sec-WebSocket-Key': 'short' })).toMatch(
      /^HTTP\/1\.1 400 /,
    );
    const version = await rawUpgrade(port, '/ws', { Origin: 'https://good.example', 'Sec-WebSocket-Version': '8' });
    expect(version).toMatch(/^HTTP\/1\.1 400 /);
    expect(version).toContain('Sec-WebSocket-Version: 13');
    expect(await rawUpgrade(port, '/%zz', { Origin: 'https://good.example' })).toMatch(/^HTTP\/1\.1 400 /);
    // another protocol is served as a plain GET: the route needs a websocket (426)
    expect(await rawUpgrade(port, '/ws', { Origin: 'https://good.example', Upgrade: 'h2c' })).toMatch(
      /^HTTP\/1\.1 426 /,
    );
    expect(await rawUpgrade(port, '/ws', { Origin: 'https://good.example' })).toMatch(/^HTTP\/1\.1 101 /);
    // the server still serves after every refusal
    expect((await fetch(`http://127.0.0.1:${port}/ws`)).status).toBe(426);
  });

  it('answers 426 with Upgrade: websocket to a plain HTTP request', async () => {
    const { port } = await serve((app, sockets) => {
      sockets.route('/only-ws', () => undefined);
      app.route('/both', () => 'plain page');
      sockets.route('/both', (ws) => ws.send('socket'));
    });
    const reply = await fetch(`http://127.0.0.1:${port}/only-ws`);
    expect(reply.status).toBe(426);
    expect(reply.headers.get('upgrade')).toBe('websocket');
    expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await (await fetch(`http://127.0.0.1:${port}/both`)).text()).toBe('plain page');
    const client = await open(`ws://127.0.0.1:${port}/both`);
    expect((await next(client)).data.toString()).toBe('socket');
  });

  it('drops a peer that does not answer pings', async () => {
    const { app, url } = await serve((_app, sockets) => sockets.route('/beat', () => undefined), { heartbeat: 50 });
    const silent = await open(`${url}/beat`, { autoPong: false });
    const lively = await open(`${url}/beat`);
    const [code] = (await once(silent, 'close')) as [number];
    expect(code).toBe(1006); // terminated, no closing handshake
    expect(lively.readyState).toBe(Client.OPEN);
    expect(app.server).toBeDefined();
  });

  it('app.close() closes open sockets with 1001 and waits for them', async () => {
    const { app, url } = await serve((_app, sockets) => sockets.route('/stay', () => undefined));
    const first = await open(`${url}/stay`);
    const second = await open(`${url}/stay`);
    const codes = Promise.all([once(first, 'close'), once(second, 'close')]);
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    expect((await codes).map(([code]) => code as number)).toEqual([1001, 1001]);
  });

  it('broadcasts to the sockets of one route, and serves 500 clients without leaks', async () => {
    const addOn = websockets();
    const app = new Application('many', { logger: false }).use(addOn);
    apps.push(app);
    addOn.route('/room/<name>', (ws) => ws.on('message', (data) => ws.send(data)));
    addOn.route('/other', () => undefined);
    const { port } = await app.listen({ port: 0 });
    const count = 500;
    const many = await Promise.all(Array.from({ length: count }, () => open(`ws://127.0.0.1:${port}/room/a`)));
    const other = await open(`ws://127.0.0.1:${port}/other`);
    const echoes = await Promise.all(
      many.map(async (client, index) => {
        const reply = next(client);
        client.send(`m${index}`);
        return (await reply).data.toString();
      }),
    );
    expect(echoes).toEqual(many.map((_, index) => `m${index}`));
    const everyone = Promise.all(many.map((client) => next(client)));
    let otherGot = false;
    other.on('message', () => (otherGot = true));
    expect(addOn.broadcast('/room/<name>', 'to all')).toBe(count);
    expect((await everyone).every(({ data }) => data.toString() === 'to all')).toBe(true);
    expect(otherGot).toBe(false);
    expect(addOn.clients().size).toBe(count + 1);
    await Promise.all([...many, other].map((client) => (client.close(), once(client, 'close'))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(addOn.clients().size).toBe(0);
    expect(addOn.clients('/room/<name>').size).toBe(0);
  });

  it('attaches to a server you created yourself', async () => {
    const addOn = websockets();
    const app = new Application('own', { logger: false }).use(addOn);
    app.route('/', () => 'page');
    addOn.route('/ws', (ws) => ws.send('from my server'));
    const server = createServer(app.handler);
    addOn.attach(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('page');
      const client = await open(`ws://127.0.0.1:${port}/ws`);
      expect((await next(client)).data.toString()).toBe('from my server');
      client.close();
      await once(client, 'close');
    } finally {
      await addOn.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a handler that throws closes with 1011 and the server goes on', async () => {
    const { url } = await serve((app, sockets) => {
      sockets.route('/boom', () => {
        throw new Error('boom');
      });
      sockets.route('/later', async (ws: WebSocket) => {
        await Promise.resolve();
        ws.send('fine');
      });
    });
    const boom = await open(`${url}/boom`);
    const [code] = (await once(boom, 'close')) as [number];
    expect(code).toBe(1011);
    expect((await next(await open(`${url}/later`))).data.toString()).toBe('fine');
  });

  it('a route before the add-on is installed says what to install', () => {
    expect(() => websockets().route('/x', () => undefined)).toThrow(/app\.use\(websockets\(\)\)/);
  });
});
