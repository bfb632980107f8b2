// The Node `ws` peer of bench/compare.sh: the same minimal chat protocol as uws_chat_peer.cpp
// (room from the URL path, subprotocol echoed, one MESSAGE serialised once per SEND_MESSAGE and
// sent to every member, the sender included; members over 1 MiB buffered are cut).
// Usage: node bench/ws_chat_peer.mjs PORT
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 9002);
const rooms = new Map();
let nextId = 0;
const field = (msg, key) => {
  const at = msg.indexOf(key);
  if (at < 0) return '';
  let i = at + key.length;
  while (i < msg.length && msg[i] !== '"') i += msg[i] === '\\' ? 2 : 1;
  return msg.slice(at + key.length, i);
};

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  perMessageDeflate: false,
  maxPayload: 16 * 1024,
  handleProtocols: (protocols) => protocols.values().next().value ?? false,
});
wss.on('connection', (ws, req) => {
  const room = req.url;
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  members.add(ws);
  ws.on('close', () => {
    members.delete(ws);
    if (members.size === 0) rooms.delete(room);
  });
  ws.on('message', (data) => {
    const msg = data.toString();
    if (!msg.includes('"SEND_MESSAGE"')) return;
    const id = `00000000-0000-4000-8000-${(++nextId).toString(16).padStart(12, '0')}`;
    const frame = Buffer.from(
      `{"Type":"MESSAGE","Id":"${id}","RequestId":"${field(msg, '"RequestId":"')}",` +
        `"Attributes":null,"Content":"${field(msg, '"Content":"')}",` +
        `"SendTime":"${new Date().toISOString()}","Sender":{"UserId":"peer","Attributes":{}}}`,
    );
    for (const m of members) {
      if (m.bufferedAmount > 1024 * 1024) m.terminate();
      else m.send(frame, { binary: false });
    }
  });
});
wss.on('listening', () => console.log(`ws_chat_peer listening on 127.0.0.1:${port}`));
