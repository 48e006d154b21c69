// The "websocket" example: a port of PoorWSGI's examples/websocket.py with the same URLs.
// GET / serves a chat page; /ws greets with a timestamped Hello, then echoes each message in
// bold, followed by a random answer. Run: npm run example -- websocket
import { fileURLToPath } from 'node:url';
import { Application, escapeHtml, htmlPage, route } from '@poor/core';
import { websocket, websockets, type WebSocket } from '@poor/ws';
import { serve } from './serve.js';

const ANSWERS = [
  'Hmm',
  'Yee',
  'Ok',
  'Really?',
  'Never mind',
  'You are best!',
  '😀',
  '😉',
  '☺',
  '😎',
  '👌',
  '👍',
  '🤔',
  '👏',
  '🤩',
  '...',
];

const PAGE = `<div id="board" style="background:#000;color:#eee;height:20em;overflow-y:auto;padding:.5em;font-family:monospace"></div>
<form id="form"><input id="message" autocomplete="off" size="60" autofocus> <button>Send</button></form>
<script>
const board = document.getElementById('board');
const input = document.getElementById('message');
const socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
// The server escapes what people typed; its own markup (<i>, <b>) is shown as such.
socket.addEventListener('message', (event) => {
  const line = document.createElement('div');
  line.innerHTML = event.data;
  board.append(line);
  board.scrollTop = board.scrollHeight;
});
socket.addEventListener('close', () => board.insertAdjacentText('beforeend', '(connection closed)'));
document.getElementById('form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (socket.readyState === WebSocket.OPEN) socket.send(input.value);
  input.value = '';
});
</script>`;

/** `[<i>YYYY-MM-DD HH:MM:SS</i>] text` (UTC). */
function stamped(text: string): string {
  return `[<i>${new Date().toISOString().slice(0, 19).replace('T', ' ')}</i>] ${text}`;
}

class Chat {
  @route('/')
  index(): string {
    return htmlPage('WebSocket Example', PAGE);
  }

  @websocket('/ws')
  ws(ws: WebSocket): void {
    ws.send(stamped('Hello'));
    ws.on('message', (data, binary) => {
      if (binary) return;
      const message = String(data).trim();
      if (!message) return;
      ws.send(stamped(`<b>${escapeHtml(message)}</b>`));
      ws.send(stamped(escapeHtml(ANSWERS[Math.floor(Math.random() * ANSWERS.length)] as string)));
    });
  }
}

export const app = new Application('websocket', { debug: true, addOns: [websockets()], controllers: [Chat] });

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(app);
