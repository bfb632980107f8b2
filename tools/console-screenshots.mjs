// Screenshots of every Parley Console page for docs/console/ (shown in the README):
//   node tools/console-screenshots.mjs        (after make build; needs Debian's chromium)
// Starts a throwaway parleyd, fills it with a few rooms, a logging configuration and some chat,
// and photographs each page at 1280x800 (and the rooms page at phone width).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CreateLoggingConfigurationCommand, SendEventCommand } from '@aws-sdk/client-ivschat';
import { SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { startParley, credentials, repoRoot } from '../tests/e2e/lib/parley.mjs';
import { createRoom, sdkRoom, sleep } from '../tests/e2e/lib/chat_clients.mjs';

const out = join(repoRoot, 'docs', 'console');
mkdirSync(out, { recursive: true });
const parley = await startParley();
const api = parley.client();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const lc = await api.send(new CreateLoggingConfigurationCommand({
    name: 'archive', destinationConfiguration: { s3: { bucketName: 'chat-archive' } },
  }));
  await api.send(new CreateLoggingConfigurationCommand({
    name: 'audit', destinationConfiguration: { cloudWatchLogs: { logGroupName: '/parley/audit' } },
  }));
  const lobby = await createRoom(api, { name: 'lobby', loggingConfigurationIdentifiers: [lc.arn], tags: { team: 'community' } });
  await createRoom(api, { name: 'support', maximumMessageLength: 300 });
  await createRoom(api, {
    name: 'moderated',
    messageReviewHandler: { uri: 'arn:aws:lambda:us-east-1:123456789012:function:review', fallbackResult: 'DENY' },
  });

  const shot = async (page, name) => {
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(`docs/console/${name}.png`);
  };
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${parley.apiUrl}/console/`);
  await page.getByLabel('Access key id').fill(credentials.accessKeyId);
  await shot(page, 'sign-in');
  await page.getByLabel('Secret access key').fill(credentials.secretAccessKey);
  await page.getByLabel('Secret access key').press('Enter');
  await page.locator('tr[data-room-arn]').first().waitFor();
  await shot(page, 'rooms');

  await page.goto(`${parley.apiUrl}/console/#/rooms/new`);
  await page.getByLabel('Name', { exact: true }).fill('bad name!');
  await page.getByLabel('Maximum message length').fill('9000');
  await page.getByRole('button', { name: 'Create room' }).click();
  await page.locator('.field.invalid').first().waitFor();
  await shot(page, 'room-form-validation');

  await page.goto(`${parley.apiUrl}/console/#/logging`);
  await page.locator('tr[data-logging-arn]').first().waitFor();
  await shot(page, 'logging-configurations');

  await page.goto(`${parley.apiUrl}/console/#/live/${encodeURIComponent(lobby.arn)}`);
  await page.locator('.pill[data-state="connected"]').waitFor();
  const alice = await sdkRoom(parley, api, lobby.arn, 'alice', { attributes: { displayName: 'Alice' } }).connect();
  const bob = await sdkRoom(parley, api, lobby.arn, 'bob').connect();
  await alice.chat.sendMessage(new SendMessageRequest('Hi everyone! Is the stream starting soon?', { color: 'teal' }));
  await bob.chat.sendMessage(new SendMessageRequest('In five minutes, I think.'));
  await api.send(new SendEventCommand({ roomIdentifier: lobby.arn, eventName: 'app:stream-starting', attributes: { in: '5m' } }));
  await alice.chat.sendMessage(new SendMessageRequest('Great, thanks!'));
  await page.locator('.message').nth(2).waitFor();
  await shot(page, 'live-room');

  const traffic = setInterval(() => {
    alice.chat.sendMessage(new SendMessageRequest(`ping ${Date.now()}`)).catch(() => {});
    api.send(new SendEventCommand({ roomIdentifier: lobby.arn, eventName: 'app:tick' })).catch(() => {});
  }, 150);
  await page.goto(`${parley.apiUrl}/console/#/server`);
  await sleep(12000);
  clearInterval(traffic);
  await shot(page, 'server');

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p2 = await phone.newPage();
  await p2.goto(`${parley.apiUrl}/console/`);
  await p2.evaluate((c) => sessionStorage.setItem('parley.console.session', JSON.stringify({ ...c, region: 'us-east-1' })), credentials);
  await p2.goto(`${parley.apiUrl}/console/#/rooms`);
  await p2.reload();
  await p2.locator('tr[data-room-arn]').first().waitFor();
  await shot(p2, 'rooms-phone');
  alice.close();
  bob.close();
} finally {
  await browser.close();
  await parley.stop();
}
