// Calls Parley's own control operations (ListRoomMessages, GetRoomPresence), which the AWS SDK
// does not know: signed with the SDK's own SigV4 signer, sent with fetch (docs/extensions.md).
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { credentials } from './parley.mjs';

const signer = new SignatureV4({
  service: 'ivschat',
  region: 'us-east-1',
  credentials,
  sha256: Hash.bind(null, 'sha256'),
});

// POSTs `body` to /<operation> on the API door; resolves with { status, body } (JSON parsed).
export async function callExtension(parley, operation, body) {
  const url = new URL(`${parley.apiUrl}/${operation}`);
  const payload = JSON.stringify(body);
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/json' },
    body: payload,
  });
  const res = await fetch(url, { method: 'POST', headers: signed.headers, body: payload });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

// Every page of ListRoomMessages (newest first), following nextToken.
export async function allRoomMessages(parley, roomArn, pageSize = 100, extra = {}) {
  const out = [];
  let nextToken;
  do {
    const r = await callExtension(parley, 'ListRoomMessages', { roomIdentifier: roomArn, maxResults: pageSize, nextToken, ...extra });
    if (r.status !== 200) throw new Error(`ListRoomMessages ${r.status}: ${JSON.stringify(r.body)}`);
    out.push(...r.body.messages);
    nextToken = r.body.nextToken;
  } while (nextToken);
  return out;
}
