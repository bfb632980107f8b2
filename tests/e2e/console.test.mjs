// Parley Console in a real browser: Debian's Chromium, headless, driven by playwright-core,
// against a real parleyd serving the console built by `make build` (build/console). A Node client
// with the official SDKs plays the other side of the live room.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  GetRoomCommand, ListRoomsCommand, UpdateRoomCommand,
} from '@aws-sdk/client-ivschat';
import { startParley, credentials, parleydPath, waitFor } from './lib/parley.mjs';
import { sdkRoom, createRoom } from './lib/chat_clients.mjs';

const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
// By default parleyd finds the console beside itself (make build puts both in build/);
// PARLEY_CONSOLE_DIR points another binary (e.g. the ASan build) at a built console.
const consoleDir = process.env.PARLEY_CONSOLE_DIR ?? join(dirname(parleydPath), 'console');
const consoleArgs = process.env.PARLEY_CONSOLE_DIR ? ['--console-dir', consoleDir] : [];

let parley, api, browser, page;
const browserErrors = [];
// Requests the test makes fail on purpose: the browser reports each failed fetch on its console.
let expectedFailedLoads = 0;

async function openPage(width, height) {
  const context = await browser.newContext({ viewport: { width, height } });
  const p = await context.newPage();
  p.on('console', (msg) => {
    if (msg.type() === 'error') browserErrors.push(msg.text());
  });
  p.on('pageerror', (err) => browserErrors.push(`pageerror: ${err.message}`));
  return p;
}

async function signIn(p) {
  await p.goto(`${parley.apiUrl}/console/`);
  await p.getByLabel('Access key id').fill(credentials.accessKeyId);
  await p.getByLabel('Secret access key').fill(credentials.secretAccessKey);
  await p.getByLabel('Secret access key').press('Enter');  // Enter submits the form
  await p.getByRole('heading', { name: 'Rooms' }).waitFor();
}

async function noHorizontalOverflow(p, what) {
  const { scroll, inner } = await p.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
  }));
  assert.ok(scroll <= inner, `${what}: the page is ${scroll}px wide in a ${inner}px window`);
}

// The status of a GET of `path`, sent on the wire exactly as given.
function rawStatus(path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: parley.apiPort, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  assert.ok(existsSync(join(consoleDir, 'index.html')),
    `the console is not built in ${consoleDir}: run make build (or make console)`);
  assert.ok(existsSync(chromiumPath), `no Chromium at ${chromiumPath}: apt-get install chromium`);
  parley = await startParley({ args: consoleArgs });
  api = parley.client();
  // CI runs as root, where Chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  page = await openPage(1280, 800);
});

after(async () => {
  await browser?.close();
  await parley?.stop();
});

test('the console is served with its content types, caching and no way out of its directory', async () => {
  const get = (path) => fetch(`${parley.apiUrl}${path}`, { redirect: 'manual' });
  const index = await get('/console/');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.match(index.headers.get('content-security-policy'), /default-src 'self'/);
  const html = await index.text();
  const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, html);
  const js = await get(script);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.match(js.headers.get('cache-control'), /immutable/);

  const redirect = await get('/console');
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), '/console/');
  // A deep link without an extension gets the app; a missing file does not.
  assert.match(await (await get('/console/rooms')).text(), /<div id="app">/);
  assert.equal((await get('/console/assets/missing.js')).status, 404);
  // Out of the directory: encoded dot segments, hidden files, backslashes. Sent exactly as
  // written (fetch would resolve %2e%2e itself).
  for (const path of ['/console/%2e%2e/parleyd', '/console/..%2fparleyd', '/console/assets/%2e%2e/%2e%2e/parleyd',
    '/console/.hidden', '/console/..%5cparleyd', '/console/%00', '/console/assets/%2E%2E%2F%2E%2E%2Fparleyd']) {
    assert.equal(await rawStatus(path), 404, path);
  }

  const config = await (await get('/console/config.json')).json();
  assert.equal(config.chatUrl, parley.chatUrl);
  assert.equal(config.store, parley.storeUrl ? 'postgresql' : 'sqlite');
  assert.equal(config.bus, 'local');
  assert.match(config.version, /^\d+\.\d+\.\d+$/);
  assert.equal(typeof config.uptimeSeconds, 'number');
  // /metrics is reachable from the page's origin (the Server page reads it).
  assert.equal((await get('/metrics')).status, 200);
});

test('sign-in keeps the keys in sessionStorage and opens the Rooms page', async () => {
  // A wrong secret is refused by the server (the SDK's signed ListRooms), and nothing is kept.
  await page.goto(`${parley.apiUrl}/console/`);
  await page.getByLabel('Access key id').fill(credentials.accessKeyId);
  await page.getByLabel('Secret access key').fill('not-the-secret');
  expectedFailedLoads += 1;
  await page.getByLabel('Secret access key').press('Enter');
  await page.getByText(/Sign-in failed: InvalidSignatureException/).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('parley.console.session')), null);
  assert.equal(await page.getByLabel('Region').inputValue(), 'us-east-1');  // the server's region

  await signIn(page);
  const stored = await page.evaluate(() => sessionStorage.getItem('parley.console.session'));
  assert.equal(JSON.parse(stored).accessKeyId, credentials.accessKeyId);
  await page.getByText('No rooms yet.').waitFor();  // the empty state
  await noHorizontalOverflow(page, 'rooms (empty)');
});

test('the API\'s validation errors appear next to the fields they name', async () => {
  await page.goto(`${parley.apiUrl}/console/#/rooms/new`);
  await page.getByLabel('Name', { exact: true }).fill('not a valid name!');
  await page.getByLabel('Maximum message length').fill('9999');
  expectedFailedLoads += 1;
  await page.getByRole('button', { name: 'Create room' }).click();
  const nameError = page.locator('.field[data-field="name"] .field-error');
  await nameError.waitFor({ state: 'visible' });
  assert.match(await nameError.textContent(), /must match pattern/);
  assert.match(await page.locator('.field[data-field="maximumMessageLength"] .field-error').textContent(), /between 1 and 500/);
  assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal((await api.send(new ListRoomsCommand({}))).rooms.length, 0);
});

test('a room created through the form has every field that was entered', async () => {
  await page.getByLabel('Name', { exact: true }).fill('console-lobby');
  await page.getByLabel('Maximum message length').fill('200');
  await page.getByLabel('Maximum message rate per second').fill('7');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.getByLabel('Tag key').fill('team');
  await page.getByLabel('Tag value').fill('support');
  await page.getByRole('button', { name: 'Create room' }).click();
  await page.getByText(/Room console-lobby created/).waitFor();
  const rooms = (await api.send(new ListRoomsCommand({}))).rooms;
  assert.equal(rooms.length, 1);
  const room = await api.send(new GetRoomCommand({ identifier: rooms[0].arn }));
  assert.equal(room.name, 'console-lobby');
  assert.equal(room.maximumMessageLength, 200);
  assert.equal(room.maximumMessageRatePerSecond, 7);
  assert.deepEqual(room.tags, { team: 'support' });
  await page.locator(`tr[data-room-id="${room.id}"]`).waitFor();
  await noHorizontalOverflow(page, 'rooms');
});

test('editing a room through the form; a logging configuration in use cannot be deleted, and the console says why', async () => {
  await page.goto(`${parley.apiUrl}/console/#/logging/new`);
  await page.getByLabel('Name', { exact: true }).fill('archive');
  await page.getByLabel('Destination').selectOption('s3');
  await page.getByLabel('Bucket name').fill('chat-archive');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByText(/Logging configuration archive created/).waitFor();
  const lcArn = await page.locator('tr[data-logging-arn]').first().getAttribute('data-logging-arn');
  const roomArn = (await api.send(new ListRoomsCommand({}))).rooms[0].arn;

  // The room's edit form: attach the configuration, change a limit, replace the tag.
  await page.goto(`${parley.apiUrl}/console/#/rooms`);
  await page.locator(`tr[data-room-arn="${roomArn}"]`).getByRole('link', { name: 'Edit' }).click();
  await page.getByLabel('Maximum message length').waitFor();
  await waitFor(async () => (await page.getByLabel('Maximum message length').inputValue()) === '200', 5000, 'the form to load the room');
  await page.getByLabel('Maximum message length').fill('300');
  await page.getByRole('checkbox', { name: /archive/ }).check();
  await page.getByRole('button', { name: 'Remove tag' }).click();
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.getByLabel('Tag key').fill('tier');
  await page.getByLabel('Tag value').fill('gold');
  await page.getByRole('button', { name: 'Save room' }).click();
  await page.getByText(/Room console-lobby saved/).waitFor();
  const edited = await api.send(new GetRoomCommand({ identifier: roomArn }));
  assert.equal(edited.maximumMessageLength, 300);
  assert.equal(edited.maximumMessageRatePerSecond, 7);
  assert.deepEqual(edited.loggingConfigurationIdentifiers, [lcArn]);
  assert.deepEqual(edited.tags, { tier: 'gold' });

  await page.goto(`${parley.apiUrl}/console/#/logging`);
  const del = page.locator(`tr[data-logging-arn="${lcArn}"] button.danger`);
  await del.click();
  expectedFailedLoads += 1;
  await del.click();  // the confirmation
  await page.getByText(/ConflictException/).waitFor();
  await noHorizontalOverflow(page, 'logging configurations');
  await api.send(new UpdateRoomCommand({ identifier: roomArn, loggingConfigurationIdentifiers: [] }));
});

test('live room: messages stream in, and the operator sends, deletes and disconnects', async () => {
  const roomId = (await api.send(new ListRoomsCommand({}))).rooms[0].arn;
  await page.goto(`${parley.apiUrl}/console/#/rooms`);
  await page.locator(`tr[data-room-arn="${roomId}"]`).getByRole('link', { name: 'Live' }).click();
  await page.locator('.pill[data-state="connected"]').waitFor();

  const node = await sdkRoom(parley, api, roomId, 'node-user', { attributes: { displayName: 'Node' } }).connect();
  try {
    await node.chat.sendMessage(new (await import('amazon-ivs-chat-messaging')).SendMessageRequest('hello from node', { mood: 'happy' }));
    const item = page.locator('.message[data-sender="node-user"]').filter({ hasText: 'hello from node' });
    await item.waitFor();
    assert.match(await item.textContent(), /mood/);

    // The operator's message and event reach the Node client.
    await page.getByLabel('Message', { exact: true }).fill('hello from the console');
    await page.getByRole('button', { name: 'Send message' }).click();
    await waitFor(() => node.messages.find((m) => m.content === 'hello from the console'), 5000, 'the console\'s message');
    await page.getByLabel('Event name').fill('app:announcement');
    await page.getByRole('button', { name: 'Send event' }).click();
    await waitFor(() => node.events.find((e) => e.eventName === 'app:announcement'), 5000, 'the console\'s event');
    await noHorizontalOverflow(page, 'live room');

    // One click deletes: the Node client gets aws:DELETE_MESSAGE for its message.
    const messageId = await item.getAttribute('data-message-id');
    await item.getByRole('button', { name: 'Delete' }).click();
    const deleted = await waitFor(() => node.deletes.find((d) => d.messageId === messageId), 5000, 'aws:DELETE_MESSAGE');
    assert.equal(deleted.reason, 'Deleted from the Parley Console');
    await page.locator(`.message.deleted[data-message-id="${messageId}"]`).waitFor();

    // Disconnect the Node client from its next message.
    await node.chat.sendMessage(new (await import('amazon-ivs-chat-messaging')).SendMessageRequest('second'));
    const second = page.locator('.message[data-sender="node-user"]').filter({ hasText: 'second' });
    await second.getByRole('button', { name: 'Disconnect user' }).click();
    await waitFor(() => node.disconnects.length > 0, 5000, 'the Node client to be disconnected');
    assert.equal(node.disconnects[0], 'serverDisconnect');
    await page.locator('.event[data-event-name="aws:DISCONNECT_USER"]').waitFor();
  } finally {
    node.close();
  }
});

test('the Server page draws live graphs from /metrics', async () => {
  const roomId = (await api.send(new ListRoomsCommand({}))).rooms[0].arn;
  const node = await sdkRoom(parley, api, roomId, 'watcher').connect();
  try {
    await page.goto(`${parley.apiUrl}/console/#/server`);
    await page.locator('[data-fact="store"]').waitFor();
    assert.equal(await page.locator('[data-fact="version"]').textContent(), (await (await fetch(`${parley.apiUrl}/console/config.json`)).json()).version);
    // Traffic while the page samples: API calls and deliveries.
    const traffic = setInterval(() => { api.send(new ListRoomsCommand({})).catch(() => {}); }, 100);
    try {
      await waitFor(async () => {
        const max = await page.evaluate(() => Object.fromEntries(
          [...document.querySelectorAll('.chart')].map((c) => [c.dataset.metric, Number(c.dataset.max ?? 0)])));
        return max.connections >= 1 && max.apiRequests > 0;
      }, 10000, 'non-zero connections and API requests on the graphs');
    } finally {
      clearInterval(traffic);
    }
    assert.equal(await page.locator('.chart canvas').count(), 4);
    // uPlot has drawn something: the connections canvas is not blank.
    const painted = await page.locator('.chart[data-metric="connections"] canvas').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
      return false;
    });
    assert.ok(painted);
    await noHorizontalOverflow(page, 'server');
  } finally {
    node.close();
  }
});

test('at phone width (390x844) no page scrolls sideways', async () => {
  const phone = await openPage(390, 844);
  await signIn(phone);
  const roomId = (await api.send(new ListRoomsCommand({}))).rooms[0].arn;
  for (const hash of ['#/rooms', '#/rooms/new', `#/rooms/${encodeURIComponent(roomId)}`, '#/logging', '#/logging/new', `#/live/${encodeURIComponent(roomId)}`, '#/server']) {
    await phone.goto(`${parley.apiUrl}/console/${hash}`);
    await phone.locator('main h1').first().waitFor();
    await phone.waitForTimeout(hash === '#/server' ? 2500 : 300);
    await noHorizontalOverflow(phone, `phone ${hash}`);
  }
  await phone.context().close();
});

test('a room is deleted from the list after a confirming second click', async () => {
  const doomed = await createRoom(api, { name: 'doomed' });
  await page.goto(`${parley.apiUrl}/console/#/rooms`);
  const del = page.locator(`tr[data-room-arn="${doomed.arn}"]`).getByRole('button', { name: 'Delete' });
  await del.click();
  await page.locator(`tr[data-room-arn="${doomed.arn}"]`).getByRole('button', { name: 'Confirm delete' }).click();
  await page.getByText('Room doomed deleted.').waitFor();
  const names = (await api.send(new ListRoomsCommand({}))).rooms.map((r) => r.name);
  assert.deepEqual(names, ['console-lobby']);
});

test('the rooms list filters and pages with ListRooms', async () => {
  for (let i = 0; i < 10; i++) await createRoom(api, { name: `paged-${i}` });
  await page.goto(`${parley.apiUrl}/console/#/rooms`);
  await page.getByLabel('Page size').selectOption('10');
  await page.getByLabel('Name', { exact: true }).fill('paged-1');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await waitFor(async () => (await page.locator('tr[data-room-arn]').count()) === 1, 5000, 'one room named paged-1');
  await page.getByLabel('Name', { exact: true }).fill('no-such-room');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No room matches these filters.').waitFor();
  // Paging: 11 rooms are a page of 10 and a page of 1 (nextToken from ListRooms).
  await page.getByLabel('Name', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const rows = page.locator('tr[data-room-arn]');
  await waitFor(async () => (await rows.count()) === 10, 5000, 'a first page of 10 rooms');
  await page.getByRole('button', { name: 'Next ›' }).click();
  await waitFor(async () => (await rows.count()) === 1, 5000, 'a second page of 1 room');
  await page.getByText('Page 2').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Next ›' }).isDisabled());
  await page.getByRole('button', { name: '‹ Previous' }).click();
  await waitFor(async () => (await rows.count()) === 10, 5000, 'the first page again');
});

test('a logging configuration is edited through its form', async () => {
  await page.goto(`${parley.apiUrl}/console/#/logging`);
  const arn = await page.locator('tr[data-logging-arn]').first().getAttribute('data-logging-arn');
  await page.locator(`tr[data-logging-arn="${arn}"]`).getByRole('link', { name: 'Edit' }).click();
  await waitFor(async () => (await page.getByLabel('Bucket name').inputValue()) === 'chat-archive', 5000, 'the form to load');
  await page.getByLabel('Destination').selectOption('firehose');
  await page.getByLabel('Delivery stream name').fill('chat-stream');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText(/Logging configuration archive saved/).waitFor();
  await page.getByText('Firehose chat-stream').waitFor();
});

test('the browser reported no errors besides the failed requests the tests asked for', () => {
  const failedLoads = browserErrors.filter((e) => /^Failed to load resource: the server responded with a status of (400|403|409)/.test(e));
  const others = browserErrors.filter((e) => !failedLoads.includes(e));
  assert.deepEqual(others, []);
  assert.equal(failedLoads.length, expectedFailedLoads, browserErrors.join('\n'));
});

test('--no-console turns the console off', async () => {
  const off = await startParley({ args: ['--no-console'] });
  try {
    const r = await fetch(`${off.apiUrl}/console/`);
    assert.notEqual(r.status, 200);
    assert.doesNotMatch(await r.text(), /<div id="app">/);
  } finally {
    await off.stop();
  }
});
