/**
 * A websocket upgrade request written by hand: the headers a client sends (RFC 6455's sample
 * key), `extra` overriding them; an empty value leaves a header out.
 */
export function handshakeRequest(port: number, path: string, extra: Record<string, string> = {}): string {
  const headers = {
    Host: `127.0.0.1:${port}`,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...extra,
  };
  const lines = Object.entries(headers)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return `GET ${path} HTTP/1.1\r\n${lines}\r\n`;
}
