// Session expiry (spec §1.2, §1.9): a connection made with sessionDurationInMinutes 1 gets
// ERROR 401 ("the connection has expired") and a clean close about a minute later; the official
// SDK answers the 401 by fetching a new token and reconnecting. Slow by nature (~62 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startParley, waitFor } from './lib/parley.mjs';
import { createRoom, rawClient, sdkRoom, stopCleanly } from './lib/chat_clients.mjs';

test('a one-minute session ends with ERROR 401 and close 1000; the SDK reconnects', { timeout: 90000 }, async (t) => {
  const parley = await startParley();
  const api = parley.client();
  t.after(async () => { api.destroy(); await stopCleanly(parley); });
  const room = await createRoom(api);

  const short = await rawClient(parley, api, room.arn, 'short', { capabilities: ['SEND_MESSAGE'], sessionDurationInMinutes: 1 });
  const connectedAt = Date.now();
  const long = await rawClient(parley, api, room.arn, 'long', { capabilities: [] });
  const sdk = await sdkRoom(parley, api, room.arn, 'sdk-user', { capabilities: ['SEND_MESSAGE'], sessionDurationInMinutes: 1 }).connect();
  t.after(() => { short.close(); long.close(); sdk.close(); });

  const error = await short.next((f) => f.Type === 'ERROR', 70000, 'ERROR 401');
  const errorAt = Date.now();
  assert.equal(error.ErrorCode, 401);
  assert.equal(error.RequestId, '');
  assert.match(error.Id, /^[A-Za-z0-9]{12}$/);
  const closed = await Promise.race([short.closed, new Promise((r) => setTimeout(() => r(null), 5000))]);
  assert.ok(closed, 'closed after the 401');
  assert.equal(closed.code, 1000);
  const elapsed = closed.at - connectedAt;
  assert.ok(elapsed >= 58000 && elapsed <= 65000, `closed ${elapsed} ms after connecting`);
  assert.ok(closed.at - errorAt < 2000);

  // The SDK client's 401 made it fetch a second token and connect again.
  await waitFor(() => sdk.tokensIssued >= 2 && sdk.chat.state === 'connected', 10000, 'SDK reconnect');
  assert.deepEqual(sdk.disconnects, []);

  // The default-length session is untouched.
  assert.equal(long.closeInfo, null);
  assert.ok(!long.jsonFrames().some((f) => f.Type === 'ERROR'));
});
