import type { Application } from '@poor/core';

/** Starts an example on PORT (default 8080) and HOST (default 127.0.0.1); Ctrl+C stops it gracefully. */
export async function serve(app: Application): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.HOST ?? '127.0.0.1';
  const address = await app.listen({ port, host, signals: true });
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  console.log(`${app.name}: listening on http://${shown}:${address.port}/`);
}
