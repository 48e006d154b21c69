// nginx on loopback for the deployment tests: a configuration in a temporary folder, and the
// small waits the tests share (each an event with a deadline).
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** The nginx binary, if installed (POOR_NGINX_REQUIRED=1 makes its absence an error). */
export const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
if (!nginx && process.env.POOR_NGINX_REQUIRED === '1') {
  throw new Error('nginx is required (POOR_NGINX_REQUIRED=1) but not installed: apt-get install nginx');
}
if (!nginx) console.warn('deployment test skipped: no nginx found (apt-get install nginx)');

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves once something answers HTTP on `port` (10 s at most). */
export async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing answers on port ${port}`);
}

/** An nginx.conf in `dir`: listens on `listen`, proxies (websockets too) to the `upstreams` in turn. */
export function nginxConf(dir: string, listen: number, upstreams: readonly number[]): string {
  const asRoot = process.getuid?.() === 0 ? 'user root root;' : '';
  return `${asRoot}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 20m;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream poor { ${upstreams.map((port) => `server 127.0.0.1:${port};`).join(' ')} }
  server {
    listen 127.0.0.1:${listen};
    server_name www.example.test;
    location / {
      proxy_pass http://poor;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host:$server_port;
      proxy_set_header X-Request-Id $request_id;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
    }
  }
}
`;
}
