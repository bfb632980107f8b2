import { CreateChatTokenCommand, GetRoomCommand, SendEventCommand } from '@aws-sdk/client-ivschat';
import {
  ChatRoom,
  DeleteMessageRequest,
  DisconnectUserRequest,
  SendMessageRequest,
  type ChatEvent,
  type ChatMessage,
} from 'amazon-ivs-chat-messaging';
import { h, banner, field, formatTime } from '../dom';
import { client } from '../session';
import { chatUrlFor, serverFacts } from '../config';
import { errorText } from '../errors';

// Key=value lines into an attributes map (empty lines ignored).
function parseAttributes(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) throw new Error(`Attribute "${t}" is not key=value`);
    out[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
  }
  return Object.keys(out).length ? out : undefined;
}

function attributeList(a?: Record<string, string>) {
  if (!a || !Object.keys(a).length) return null;
  return h('dl', { class: 'attrs' }, Object.entries(a).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function renderLiveRoom(main: HTMLElement, roomId: string) {
  let alive = true;
  let room: ChatRoom | null = null;
  const status = h('div', { class: 'status-slot' });
  const state = h('span', { class: 'pill', 'data-state': 'connecting' }, 'connecting');
  const feed = h('ol', { class: 'feed', 'aria-live': 'polite', 'aria-label': 'Messages and events' });
  const empty = h('li', { class: 'empty' }, 'No messages yet. Messages and events sent to this room appear here as they arrive.');
  feed.append(empty);
  const userId = `parley-console-${Math.random().toString(36).slice(2, 8)}`;
  const title = h('h1', {}, 'Live room');

  const setState = (s: string) => {
    state.textContent = s;
    state.dataset.state = s;
  };
  const note = (kind: 'ok' | 'error' | 'info', text: string) => status.replaceChildren(banner(kind, text));
  const push = (li: HTMLElement) => {
    empty.remove();
    const atBottom = feed.scrollTop + feed.clientHeight >= feed.scrollHeight - 8;
    feed.append(li);
    while (feed.children.length > 500) feed.firstElementChild?.remove();
    if (atBottom) feed.scrollTop = feed.scrollHeight;
  };

  async function disconnectUser(target: string) {
    if (!room || !target) return;
    try {
      await room.disconnectUser(new DisconnectUserRequest(target, 'Disconnected from the Parley Console'));
      note('ok', `User ${target} disconnected.`);
    } catch (e) {
      note('error', `Cannot disconnect ${target}: ${chatErrorText(e)}`);
    }
  }

  function messageItem(m: ChatMessage) {
    const del = h('button', { type: 'button', class: 'danger small', title: 'Delete this message for everyone' }, 'Delete');
    del.addEventListener('click', async () => {
      if (!room) return;
      del.disabled = true;
      try {
        await room.deleteMessage(new DeleteMessageRequest(m.id, 'Deleted from the Parley Console'));
      } catch (e) {
        del.disabled = false;
        note('error', `Cannot delete the message: ${chatErrorText(e)}`);
      }
    });
    const kick = m.sender.userId === userId ? null
      : h('button', { type: 'button', class: 'small', title: `Disconnect ${m.sender.userId}`, onclick: () => disconnectUser(m.sender.userId) }, 'Disconnect user');
    return h('li', { class: 'item message', 'data-message-id': m.id, 'data-sender': m.sender.userId },
      h('div', { class: 'meta' },
        h('strong', { class: 'sender' }, m.sender.userId),
        h('time', { datetime: m.sendTime.toISOString() }, formatTime(m.sendTime)),
        h('span', { class: 'item-actions' }, del, kick)),
      h('p', { class: 'content' }, m.content),
      attributeList(m.attributes),
      attributeList(m.sender.attributes) ? h('details', {}, h('summary', {}, 'Sender attributes'), attributeList(m.sender.attributes)) : null);
  }

  function eventItem(e: ChatEvent | { id: string; eventName: string; sendTime: Date; attributes?: Record<string, string> }, text?: string) {
    return h('li', { class: 'item event', 'data-event-name': e.eventName },
      h('div', { class: 'meta' }, h('strong', {}, e.eventName), h('time', { datetime: e.sendTime.toISOString() }, formatTime(e.sendTime))),
      text ? h('p', { class: 'content' }, text) : null,
      attributeList(e.attributes));
  }

  async function start() {
    try {
      const [facts, info] = await Promise.all([serverFacts(), client().send(new GetRoomCommand({ identifier: roomId }))]);
      if (!alive) return;
      title.textContent = `Live: ${info.name || info.id}`;
      room = new ChatRoom({
        regionOrUrl: chatUrlFor(facts),
        tokenProvider: async () => {
          const t = await client().send(new CreateChatTokenCommand({
            roomIdentifier: roomId,
            userId,
            capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'],
            attributes: { displayName: 'Parley Console' },
          }));
          return { token: t.token!, sessionExpirationTime: t.sessionExpirationTime, tokenExpirationTime: t.tokenExpirationTime };
        },
      });
      room.logLevel = 'error';
      room.addListener('connecting', () => setState('connecting'));
      room.addListener('connect', () => setState('connected'));
      room.addListener('disconnect', (reason) => {
        setState('disconnected');
        if (alive && reason !== 'clientDisconnect') note('error', `The chat connection closed (${reason}). Reload the page to join again.`);
      });
      room.addListener('message', (m) => push(messageItem(m)));
      room.addListener('event', (e) => push(eventItem(e)));
      room.addListener('messageDelete', (d) => {
        const li = feed.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(d.messageId)}"]`);
        if (li) {
          li.classList.add('deleted');
          li.querySelector('.content')!.textContent = `(deleted${d.reason ? `: ${d.reason}` : ''})`;
          li.querySelector('.item-actions')?.remove();
        }
        push(eventItem({ ...d, eventName: 'aws:DELETE_MESSAGE' }, `message ${d.messageId}${d.reason ? ` — ${d.reason}` : ''}`));
      });
      room.addListener('userDisconnect', (d) => push(eventItem({ ...d, eventName: 'aws:DISCONNECT_USER' }, `user ${d.userId}${d.reason ? ` — ${d.reason}` : ''}`)));
      room.connect();
    } catch (e) {
      if (alive) {
        setState('disconnected');
        note('error', `Cannot join the room: ${errorText(e)}`);
      }
    }
  }

  // Send a message (over the chat connection, as this console's moderator user).
  const content = h('input', { type: 'text', required: true, placeholder: 'Say something', autocomplete: 'off' });
  const msgAttrs = h('textarea', { rows: 2, placeholder: 'key=value per line (optional)' });
  const sendForm = h('form', { class: 'card compact', novalidate: true }, h('h2', {}, 'Send a message'),
    field('Message', 'content', content), field('Attributes', 'attributes', msgAttrs),
    h('button', { type: 'submit', class: 'primary' }, 'Send message'));
  sendForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!room || room.state !== 'connected') return note('error', 'Not connected to the room.');
    try {
      await room.sendMessage(new SendMessageRequest(content.value, parseAttributes(msgAttrs.value)));
      content.value = '';
    } catch (e) {
      note('error', `Cannot send: ${chatErrorText(e)}`);
    }
  });

  // Send an event (through the control plane's SendEvent, as a backend would).
  const eventName = h('input', { type: 'text', placeholder: 'app:announcement', spellcheck: 'false' });
  const eventAttrs = h('textarea', { rows: 2, placeholder: 'key=value per line (optional)' });
  const eventForm = h('form', { class: 'card compact', novalidate: true }, h('h2', {}, 'Send an event'),
    field('Event name', 'eventName', eventName), field('Attributes', 'attributes', eventAttrs),
    h('button', { type: 'submit' }, 'Send event'));
  eventForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await client().send(new SendEventCommand({ roomIdentifier: roomId, eventName: eventName.value.trim(), attributes: parseAttributes(eventAttrs.value) }));
      note('ok', `Event ${eventName.value.trim()} sent.`);
    } catch (e) {
      note('error', `Cannot send the event: ${errorText(e)}`);
    }
  });

  // Disconnect any user by id.
  const kickId = h('input', { type: 'text', placeholder: 'user id', spellcheck: 'false' });
  const kickForm = h('form', { class: 'card compact', novalidate: true }, h('h2', {}, 'Disconnect a user'),
    field('User id', 'userId', kickId), h('button', { type: 'submit', class: 'danger' }, 'Disconnect'));
  kickForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    disconnectUser(kickId.value.trim());
  });

  main.append(
    h('div', { class: 'page-head' }, title, state),
    h('p', { class: 'muted' }, 'Joined as ', h('code', {}, userId), ' with every capability. Room ', h('code', {}, roomId), '.'),
    status,
    h('div', { class: 'live' }, h('section', { class: 'card feed-card' }, h('h2', {}, 'Messages and events'), feed),
      h('aside', { class: 'side' }, sendForm, eventForm, kickForm)),
  );
  start();
  return () => {
    alive = false;
    room?.disconnect();
  };
}

function chatErrorText(e: unknown): string {
  const c = e as { errorCode?: number; errorMessage?: string };
  if (c && typeof c.errorCode === 'number') return `${c.errorMessage} (${c.errorCode})`;
  return errorText(e);
}
