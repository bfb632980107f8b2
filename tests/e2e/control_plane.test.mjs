// The control plane through the official AWS SDK for JavaScript v3 (@aws-sdk/client-ivschat):
// all 17 operations, their typed errors, the field limits and SigV4 failures, checked against
// the facts in the IVS Chat spec (sections 2, 5, 6, 7) rather than against what Parley does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import {
  CreateChatTokenCommand,
  CreateLoggingConfigurationCommand,
  CreateRoomCommand,
  DeleteLoggingConfigurationCommand,
  DeleteMessageCommand,
  DeleteRoomCommand,
  DisconnectUserCommand,
  GetLoggingConfigurationCommand,
  GetRoomCommand,
  ListLoggingConfigurationsCommand,
  ListRoomsCommand,
  ListTagsForResourceCommand,
  SendEventCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateLoggingConfigurationCommand,
  UpdateRoomCommand,
  ConflictException,
  IvschatServiceException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ValidationException,
  paginateListLoggingConfigurations,
  paginateListRooms,
} from '@aws-sdk/client-ivschat';
import { startParley, credentials } from './lib/parley.mjs';

const ACCOUNT = '123456789012';
const ROOM_ARN = new RegExp(`^arn:aws:ivschat:us-east-1:${ACCOUNT}:room/([A-Za-z0-9]{12})$`);
const LC_ARN = new RegExp(`^arn:aws:ivschat:us-east-1:${ACCOUNT}:logging-configuration/([A-Za-z0-9]{12})$`);
const LAMBDA = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:review`;
const LAMBDA2 = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:review-two`;
const missingRoomArn = `arn:aws:ivschat:us-east-1:${ACCOUNT}:room/ZZZZzzzz9999`;
const missingLcArn = `arn:aws:ivschat:us-east-1:${ACCOUNT}:logging-configuration/ZZZZzzzz9999`;

let parley;
let api;

before(async () => {
  parley = await startParley({ args: ['--max-logging-configurations', '100'] });
  api = parley.client();
});
after(async () => {
  await parley?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const idOf = (arn) => arn.slice(arn.lastIndexOf('/') + 1);

// Awaits a rejected SDK call and checks the typed error, its HTTP status and its modelled
// members; returns the error for further checks.
async function expectError(promise, ErrorClass, status, members = {}) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${ErrorClass.name ?? ErrorClass}, but the call succeeded`);
  if (typeof ErrorClass === 'string') {
    assert.ok(err instanceof IvschatServiceException, `not an IvschatServiceException: ${err}`);
    assert.equal(err.name, ErrorClass);
  } else {
    assert.ok(err instanceof ErrorClass, `expected ${ErrorClass.name}, got ${err.name}: ${err.message}`);
    assert.equal(err.name, ErrorClass.name);
  }
  assert.equal(err.$metadata.httpStatusCode, status, `status of ${err.name}`);
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0 && err.message !== 'Unknown', 'error carries a message');
  assert.match(err.$metadata.requestId ?? '', /.+/, 'x-amzn-RequestId read by the SDK');
  for (const [k, v] of Object.entries(members)) {
    if (v instanceof RegExp) assert.match(err[k], v, `member ${k}`);
    else assert.deepEqual(err[k], v, `member ${k}`);
  }
  return err;
}

// A ValidationException for a field: reason FIELD_VALIDATION_FAILED, and fieldList names it.
async function expectFieldError(promise, field) {
  const err = await expectError(promise, ValidationException, 400, { reason: 'FIELD_VALIDATION_FAILED' });
  assert.ok(Array.isArray(err.fieldList) && err.fieldList.length > 0, 'fieldList is a non-empty list');
  for (const f of err.fieldList) {
    assert.equal(typeof f.name, 'string');
    assert.equal(typeof f.message, 'string');
  }
  assert.ok(
    err.fieldList.some((f) => f.name === field || f.name.startsWith(`${field}.`) || f.name.startsWith(`${field}[`)),
    `fieldList ${JSON.stringify(err.fieldList)} names ${field}`,
  );
  return err;
}

const createRoom = (input = {}) => api.send(new CreateRoomCommand(input));
const getRoom = (arn) => api.send(new GetRoomCommand({ identifier: arn }));
const createLc = (input) => api.send(new CreateLoggingConfigurationCommand(input));
const s3 = (bucketName = 'parley-chat-logs') => ({ s3: { bucketName } });

function assertTimes(resource) {
  assert.ok(resource.createTime instanceof Date && !Number.isNaN(+resource.createTime), 'createTime is a Date');
  assert.ok(resource.updateTime instanceof Date && !Number.isNaN(+resource.updateTime), 'updateTime is a Date');
  assert.ok(Math.abs(Date.now() - resource.createTime) < 60000, 'createTime is now-ish');
  assert.ok(resource.updateTime >= resource.createTime);
}

// Raw HTTP, signed with the SDK's own SigV4 signer (@smithy/signature-v4).
const signer = new SignatureV4({
  credentials, region: 'us-east-1', service: 'ivschat', sha256: Hash.bind(null, 'sha256'),
});
async function signedFetch(method, path, body, headers = {}) {
  const url = new URL(path, parley.apiUrl);
  const query = Object.fromEntries(url.searchParams);
  const signed = await signer.sign({
    method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query,
    headers: { host: url.host, 'content-type': 'application/json', ...headers },
    body,
  });
  const { host, ...sendHeaders } = signed.headers;  // fetch sets the same Host itself
  return fetch(url, { method, headers: sendHeaders, body });
}

async function assertJsonError(res, status, type) {
  assert.equal(res.status, status);
  assert.equal(res.headers.get('x-amzn-errortype')?.split(':')[0], type);
  assert.match(res.headers.get('content-type') ?? '', /json/);
  assert.match(res.headers.get('x-amzn-requestid') ?? '', /.+/);
  assert.ok(res.headers.get('date'), 'Date header');
  const body = await res.json();
  assert.equal(typeof body.message, 'string');
  return body;
}

// ---------------------------------------------------------------------------------------------

test('CreateRoom with defaults, GetRoom echoes the same room', async () => {
  const before = Date.now();
  const room = await createRoom({});
  assert.equal(room.$metadata.httpStatusCode, 200);
  assert.match(room.$metadata.requestId, /.+/);
  assert.match(room.arn, ROOM_ARN);
  assert.equal(room.id, ROOM_ARN.exec(room.arn)[1]);
  assert.ok(room.name === '' || room.name === undefined, `default name, got ${room.name}`);
  assert.equal(room.maximumMessageLength, 500);
  assert.equal(room.maximumMessageRatePerSecond, 10);
  assert.deepEqual(room.tags, {});
  assert.deepEqual(room.loggingConfigurationIdentifiers, []);
  assert.equal(room.messageReviewHandler?.uri || undefined, undefined);
  assertTimes(room);
  assert.ok(room.createTime.getTime() >= before - 1000);
  assert.equal(room.createTime.getTime(), room.updateTime.getTime());

  const got = await getRoom(room.arn);
  assert.equal(got.$metadata.httpStatusCode, 200);
  for (const k of ['arn', 'id', 'name', 'maximumMessageLength', 'maximumMessageRatePerSecond', 'tags',
    'loggingConfigurationIdentifiers', 'createTime', 'updateTime', 'messageReviewHandler'])
    assert.deepEqual(got[k], room[k], `GetRoom ${k}`);

  // Ids are unique.
  const other = await createRoom({});
  assert.notEqual(other.id, room.id);
});

test('CreateRoom with every member set', async () => {
  const lc = await createLc({ destinationConfiguration: s3() });
  const room = await createRoom({
    name: 'full-Room_1',
    maximumMessageLength: 200,
    maximumMessageRatePerSecond: 25,
    messageReviewHandler: { uri: LAMBDA, fallbackResult: 'DENY' },
    tags: { env: 'test', team: 'chat' },
    loggingConfigurationIdentifiers: [lc.arn],
  });
  assert.equal(room.name, 'full-Room_1');
  assert.equal(room.maximumMessageLength, 200);
  assert.equal(room.maximumMessageRatePerSecond, 25);
  assert.deepEqual(room.messageReviewHandler, { uri: LAMBDA, fallbackResult: 'DENY' });
  assert.deepEqual(room.tags, { env: 'test', team: 'chat' });
  assert.deepEqual(room.loggingConfigurationIdentifiers, [lc.arn]);

  // fallbackResult defaults to ALLOW.
  const allow = await createRoom({ messageReviewHandler: { uri: LAMBDA } });
  assert.deepEqual(allow.messageReviewHandler, { uri: LAMBDA, fallbackResult: 'ALLOW' });
  const got = await getRoom(allow.arn);
  assert.deepEqual(got.messageReviewHandler, { uri: LAMBDA, fallbackResult: 'ALLOW' });
});

test('UpdateRoom changes only the members it names', async () => {
  const lc1 = await createLc({ name: 'one', destinationConfiguration: s3() });
  const lc2 = await createLc({ name: 'two', destinationConfiguration: { cloudWatchLogs: { logGroupName: '/parley/two' } } });
  const room = await createRoom({
    name: 'before',
    maximumMessageLength: 300,
    maximumMessageRatePerSecond: 30,
    messageReviewHandler: { uri: LAMBDA, fallbackResult: 'DENY' },
    tags: { keep: 'me' },
    loggingConfigurationIdentifiers: [lc1.arn],
  });
  const base = {
    arn: room.arn, id: room.id, name: 'before', maximumMessageLength: 300, maximumMessageRatePerSecond: 30,
    messageReviewHandler: { uri: LAMBDA, fallbackResult: 'DENY' }, tags: { keep: 'me' },
    loggingConfigurationIdentifiers: [lc1.arn],
  };
  const check = (r, expected, what) => {
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(r[k], v, `${what}: ${k}`);
    assert.equal(r.createTime.getTime(), room.createTime.getTime(), `${what}: createTime unchanged`);
  };
  await sleep(5);

  let prev = room.updateTime;
  const steps = [
    ['name', { name: 'after' }, { name: 'after' }],
    ['maximumMessageLength', { maximumMessageLength: 42 }, { maximumMessageLength: 42 }],
    ['maximumMessageRatePerSecond', { maximumMessageRatePerSecond: 7 }, { maximumMessageRatePerSecond: 7 }],
    ['messageReviewHandler', { messageReviewHandler: { uri: LAMBDA2, fallbackResult: 'ALLOW' } },
      { messageReviewHandler: { uri: LAMBDA2, fallbackResult: 'ALLOW' } }],
    ['loggingConfigurationIdentifiers replaced, order kept', { loggingConfigurationIdentifiers: [lc2.arn, lc1.arn] },
      { loggingConfigurationIdentifiers: [lc2.arn, lc1.arn] }],
  ];
  let expected = { ...base };
  for (const [what, input, change] of steps) {
    const updated = await api.send(new UpdateRoomCommand({ identifier: room.arn, ...input }));
    assert.equal(updated.$metadata.httpStatusCode, 200);
    expected = { ...expected, ...change };
    check(updated, expected, what);
    assert.ok(updated.updateTime > prev, `${what}: updateTime moves forward`);
    prev = updated.updateTime;
    check(await getRoom(room.arn), expected, `${what} (GetRoom)`);
  }

  // An UpdateRoom naming nothing but the room changes no member.
  check(await api.send(new UpdateRoomCommand({ identifier: room.arn })), expected, 'no-op');

  // [] clears the logging configurations; uri "" disassociates the review handler.
  const cleared = await api.send(new UpdateRoomCommand({ identifier: room.arn, loggingConfigurationIdentifiers: [] }));
  assert.deepEqual(cleared.loggingConfigurationIdentifiers ?? [], []);
  assert.deepEqual(cleared.messageReviewHandler, expected.messageReviewHandler);
  const noHandler = await api.send(new UpdateRoomCommand({ identifier: room.arn, messageReviewHandler: { uri: '' } }));
  assert.ok(!noHandler.messageReviewHandler?.uri, `handler cleared, got ${JSON.stringify(noHandler.messageReviewHandler)}`);
  const got = await getRoom(room.arn);
  assert.ok(!got.messageReviewHandler?.uri);
  assert.deepEqual(got.loggingConfigurationIdentifiers ?? [], []);
  assert.equal(got.name, 'after');
  assert.equal(got.maximumMessageLength, 42);
  assert.equal(got.maximumMessageRatePerSecond, 7);
  assert.deepEqual(got.tags, { keep: 'me' });

  await expectError(api.send(new UpdateRoomCommand({ identifier: missingRoomArn, name: 'x' })),
    ResourceNotFoundException, 404, { resourceId: 'ZZZZzzzz9999', resourceType: 'ROOM' });
});

test('DeleteRoom answers 204 and the room is gone', async () => {
  const room = await createRoom({ name: 'doomed' });
  const del = await api.send(new DeleteRoomCommand({ identifier: room.arn }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  assert.deepEqual(Object.keys(del), ['$metadata']);
  await expectError(getRoom(room.arn), ResourceNotFoundException, 404,
    { resourceId: room.id, resourceType: 'ROOM' });
  await expectError(api.send(new DeleteRoomCommand({ identifier: room.arn })), ResourceNotFoundException, 404,
    { resourceId: room.id });
  const list = await api.send(new ListRoomsCommand({ name: 'doomed' }));
  assert.deepEqual(list.rooms, []);
  assert.equal(list.nextToken, undefined);
  await expectError(api.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: 'u' })),
    ResourceNotFoundException, 404, { resourceId: room.id });
});

test('ListRooms: summaries, filters and updateTime-descending order', async () => {
  const lcA = await createLc({ destinationConfiguration: s3() });
  const lcB = await createLc({ destinationConfiguration: s3() });
  const a = await createRoom({ name: 'filter-me', tags: { n: 'a' }, loggingConfigurationIdentifiers: [lcA.arn] });
  await sleep(3);
  const b = await createRoom({ name: 'filter-me', messageReviewHandler: { uri: LAMBDA2 }, loggingConfigurationIdentifiers: [lcA.arn, lcB.arn] });
  await sleep(3);
  const c = await createRoom({ name: 'filter-me', messageReviewHandler: { uri: LAMBDA2, fallbackResult: 'DENY' } });
  await sleep(3);
  const other = await createRoom({ name: 'filter-other', messageReviewHandler: { uri: LAMBDA2 } });

  const byName = await api.send(new ListRoomsCommand({ name: 'filter-me' }));
  assert.equal(byName.$metadata.httpStatusCode, 200);
  assert.deepEqual(byName.rooms.map((r) => r.id), [c.id, b.id, a.id], 'newest update first');
  assert.equal(byName.nextToken, undefined);
  const summaryA = byName.rooms[2];
  assert.deepEqual(
    Object.keys(summaryA).sort(),
    ['arn', 'createTime', 'id', 'loggingConfigurationIdentifiers', 'name', 'tags', 'updateTime']
      .concat(summaryA.messageReviewHandler !== undefined ? ['messageReviewHandler'] : []).sort(),
  );
  assert.equal(summaryA.arn, a.arn);
  assert.equal(summaryA.name, 'filter-me');
  assert.deepEqual(summaryA.tags, { n: 'a' });
  assert.deepEqual(summaryA.loggingConfigurationIdentifiers, [lcA.arn]);
  assert.equal(summaryA.maximumMessageLength, undefined, 'no maximumMessageLength in a summary');
  assert.equal(summaryA.maximumMessageRatePerSecond, undefined, 'no rate in a summary');
  assertTimes(summaryA);
  assert.deepEqual(byName.rooms[0].messageReviewHandler, { uri: LAMBDA2, fallbackResult: 'DENY' });

  // Updating the oldest moves it to the front.
  await sleep(3);
  await api.send(new UpdateRoomCommand({ identifier: a.arn, maximumMessageLength: 100 }));
  const reordered = await api.send(new ListRoomsCommand({ name: 'filter-me' }));
  assert.deepEqual(reordered.rooms.map((r) => r.id), [a.id, c.id, b.id]);
  const times = reordered.rooms.map((r) => r.updateTime.getTime());
  assert.deepEqual([...times].sort((x, y) => y - x), times);

  const byHandler = await api.send(new ListRoomsCommand({ messageReviewHandlerUri: LAMBDA2 }));
  assert.deepEqual(byHandler.rooms.map((r) => r.id), [other.id, c.id, b.id]);
  const byLc = await api.send(new ListRoomsCommand({ loggingConfigurationIdentifier: lcA.arn }));
  assert.deepEqual(byLc.rooms.map((r) => r.id), [a.id, b.id]);
  const byLcB = await api.send(new ListRoomsCommand({ loggingConfigurationIdentifier: lcB.arn }));
  assert.deepEqual(byLcB.rooms.map((r) => r.id), [b.id]);
  const combined = await api.send(new ListRoomsCommand({ name: 'filter-me', messageReviewHandlerUri: LAMBDA2 }));
  assert.deepEqual(combined.rooms.map((r) => r.id), [c.id, b.id], 'filters combine with AND');
  const none = await api.send(new ListRoomsCommand({ name: 'no-such-name' }));
  assert.deepEqual(none.rooms, []);

  // Unfiltered listing holds every room, newest update first.
  const all = await api.send(new ListRoomsCommand({}));
  const ids = all.rooms.map((r) => r.id);
  for (const r of [a, b, c, other]) assert.ok(ids.includes(r.id));
  const allTimes = all.rooms.map((r) => r.updateTime.getTime());
  assert.deepEqual([...allTimes].sort((x, y) => y - x), allTimes);
});

test('ListRooms pagination: maxResults pages, the SDK paginator, tampered nextToken', async () => {
  const created = [];
  for (let i = 0; i < 7; i++) {
    created.push(await createRoom({ name: 'page-walk' }));
    await sleep(2);
  }
  const pages = [];
  let nextToken;
  do {
    const page = await api.send(new ListRoomsCommand({ name: 'page-walk', maxResults: 3, nextToken }));
    pages.push(page);
    nextToken = page.nextToken;
    assert.ok(pages.length <= 3, 'at most 3 pages');
  } while (nextToken);
  assert.deepEqual(pages.map((p) => p.rooms.length), [3, 3, 1]);
  assert.equal(typeof pages[0].nextToken, 'string');
  assert.ok(pages[0].nextToken.length <= 1024);
  assert.equal(pages[2].nextToken, undefined, 'no nextToken on the last page');
  const walked = pages.flatMap((p) => p.rooms.map((r) => r.id));
  assert.equal(new Set(walked).size, 7, 'no duplicates');
  assert.deepEqual(walked, created.map((r) => r.id).reverse(), 'newest first across pages');

  // maxResults equal to the count: one page and no nextToken.
  const exact = await api.send(new ListRoomsCommand({ name: 'page-walk', maxResults: 7 }));
  assert.equal(exact.rooms.length, 7);
  assert.equal(exact.nextToken, undefined);

  // The SDK paginator walks the same rooms.
  const viaPaginator = [];
  let pageCount = 0;
  for await (const page of paginateListRooms({ client: api, pageSize: 3 }, { name: 'page-walk' })) {
    pageCount++;
    viaPaginator.push(...page.rooms.map((r) => r.id));
  }
  assert.equal(pageCount, 3);
  assert.deepEqual(viaPaginator, walked);

  const first = await api.send(new ListRoomsCommand({ name: 'page-walk', maxResults: 3 }));
  // A nextToken that was tampered with, or reused with other filters, is a ValidationException.
  const t = first.nextToken;
  const flipped = t.slice(0, 5) + (t[5] === 'A' ? 'B' : 'A') + t.slice(6);
  await expectError(api.send(new ListRoomsCommand({ name: 'page-walk', maxResults: 3, nextToken: flipped })),
    ValidationException, 400);
  await expectError(api.send(new ListRoomsCommand({ name: 'page-walk', nextToken: 'garbage!!' })),
    ValidationException, 400);
  await expectError(api.send(new ListRoomsCommand({ name: 'other-filter', nextToken: t })),
    ValidationException, 400);
  await expectFieldError(api.send(new ListRoomsCommand({ nextToken: 'x'.repeat(1025) })), 'nextToken');
  await expectFieldError(api.send(new ListRoomsCommand({ maxResults: 0 })), 'maxResults');
  await expectFieldError(api.send(new ListRoomsCommand({ maxResults: 51 })), 'maxResults');

  // maxResults defaults to 50.
  for (let i = 0; i < 51; i++) await createRoom({ name: 'default-page' });
  const dflt = await api.send(new ListRoomsCommand({ name: 'default-page' }));
  assert.equal(dflt.rooms.length, 50);
  assert.equal(typeof dflt.nextToken, 'string');
  const rest = await api.send(new ListRoomsCommand({ name: 'default-page', nextToken: dflt.nextToken }));
  assert.equal(rest.rooms.length, 1);
  assert.equal(rest.nextToken, undefined);
  assert.equal((await api.send(new ListRoomsCommand({ name: 'default-page', maxResults: 50 }))).rooms.length, 50);
});

test('logging configurations: each destination type, get, update, list, delete', async () => {
  const own = await startParley();
  const lapi = own.client();
  try {
    const destinations = [
      { s3: { bucketName: 'parley-logs.bucket-1' } },
      { cloudWatchLogs: { logGroupName: '/aws/ivschat/parley_#1' } },
      { firehose: { deliveryStreamName: 'parley.stream_1-x' } },
    ];
    const created = [];
    for (const [i, destinationConfiguration] of destinations.entries()) {
      const lc = await lapi.send(new CreateLoggingConfigurationCommand({
        name: `lc-${i}`, destinationConfiguration, tags: i === 0 ? { a: '1' } : undefined,
      }));
      assert.equal(lc.$metadata.httpStatusCode, 200);
      assert.match(lc.arn, LC_ARN);
      assert.equal(lc.id, LC_ARN.exec(lc.arn)[1]);
      assert.equal(lc.name, `lc-${i}`);
      assert.equal(lc.state, 'ACTIVE');
      assert.deepEqual(lc.destinationConfiguration, destinationConfiguration);
      assert.deepEqual(lc.tags, i === 0 ? { a: '1' } : {});
      assertTimes(lc);
      const got = await lapi.send(new GetLoggingConfigurationCommand({ identifier: lc.arn }));
      assert.equal(got.$metadata.httpStatusCode, 200);
      for (const k of ['arn', 'id', 'name', 'state', 'destinationConfiguration', 'tags', 'createTime', 'updateTime'])
        assert.deepEqual(got[k], lc[k], `GetLoggingConfiguration ${k}`);
      created.push(lc);
      await sleep(3);
    }

    // Update: only the named members change; the destination can switch type.
    const [s3lc] = created;
    const renamed = await lapi.send(new UpdateLoggingConfigurationCommand({ identifier: s3lc.arn, name: 'renamed' }));
    assert.equal(renamed.name, 'renamed');
    assert.equal(renamed.state, 'ACTIVE');
    assert.deepEqual(renamed.destinationConfiguration, destinations[0]);
    assert.deepEqual(renamed.tags, { a: '1' });
    assert.equal(renamed.createTime.getTime(), s3lc.createTime.getTime());
    assert.ok(renamed.updateTime > s3lc.updateTime);
    const moved = await lapi.send(new UpdateLoggingConfigurationCommand({
      identifier: s3lc.arn, destinationConfiguration: { firehose: { deliveryStreamName: 'other' } },
    }));
    assert.equal(moved.name, 'renamed');
    assert.deepEqual(moved.destinationConfiguration, { firehose: { deliveryStreamName: 'other' } });
    assert.ok(moved.updateTime > renamed.updateTime);
    const after = await lapi.send(new GetLoggingConfigurationCommand({ identifier: s3lc.arn }));
    assert.deepEqual(after.destinationConfiguration, { firehose: { deliveryStreamName: 'other' } });
    assert.equal(after.name, 'renamed');

    // List: summaries of all three (s3lc was updated last, so it comes first).
    const list = await lapi.send(new ListLoggingConfigurationsCommand({}));
    assert.equal(list.$metadata.httpStatusCode, 200);
    assert.equal(list.nextToken, undefined);
    assert.deepEqual(list.loggingConfigurations.map((l) => l.id).sort(), created.map((l) => l.id).sort());
    assert.equal(list.loggingConfigurations[0].id, s3lc.id);
    for (const s of list.loggingConfigurations) {
      assert.match(s.arn, LC_ARN);
      assert.equal(s.state, 'ACTIVE');
      assertTimes(s);
      assert.equal(Object.keys(s.destinationConfiguration).length, 1);
    }
    const pages = [];
    let nextToken;
    do {
      const page = await lapi.send(new ListLoggingConfigurationsCommand({ maxResults: 2, nextToken }));
      pages.push(page);
      nextToken = page.nextToken;
    } while (nextToken && pages.length < 5);
    assert.deepEqual(pages.map((p) => p.loggingConfigurations.length), [2, 1]);
    assert.equal(pages[1].nextToken, undefined);
    const walked = pages.flatMap((p) => p.loggingConfigurations.map((l) => l.id));
    assert.deepEqual(walked, list.loggingConfigurations.map((l) => l.id));
    const viaPaginator = [];
    for await (const page of paginateListLoggingConfigurations({ client: lapi, pageSize: 1 }, {}))
      viaPaginator.push(...page.loggingConfigurations.map((l) => l.id));
    assert.deepEqual(viaPaginator, walked);
    await expectError(lapi.send(new ListLoggingConfigurationsCommand({ nextToken: 'bm90LWEtdG9rZW4' })),
      ValidationException, 400);

    // Delete: 204, then gone.
    for (const lc of created) {
      const del = await lapi.send(new DeleteLoggingConfigurationCommand({ identifier: lc.arn }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      const err = await expectError(lapi.send(new GetLoggingConfigurationCommand({ identifier: lc.arn })),
        ResourceNotFoundException, 404, { resourceId: lc.id });
      assert.equal(typeof err.resourceType, 'string');
    }
    assert.deepEqual((await lapi.send(new ListLoggingConfigurationsCommand({}))).loggingConfigurations, []);
    await expectError(lapi.send(new DeleteLoggingConfigurationCommand({ identifier: missingLcArn })),
      ResourceNotFoundException, 404, { resourceId: 'ZZZZzzzz9999' });
    await expectError(lapi.send(new UpdateLoggingConfigurationCommand({ identifier: missingLcArn, name: 'x' })),
      ResourceNotFoundException, 404, { resourceId: 'ZZZZzzzz9999' });
  } finally {
    await own.stop();
  }
});

test('rooms and logging configurations that reference each other', async () => {
  await expectError(createRoom({ loggingConfigurationIdentifiers: [missingLcArn] }), ResourceNotFoundException, 404,
    { resourceId: 'ZZZZzzzz9999' });
  const lc = await createLc({ destinationConfiguration: s3() });
  const lc2 = await createLc({ destinationConfiguration: s3() });
  await expectError(createRoom({ name: 'half-bad', loggingConfigurationIdentifiers: [lc.arn, missingLcArn] }),
    ResourceNotFoundException, 404);
  assert.deepEqual((await api.send(new ListRoomsCommand({ name: 'half-bad' }))).rooms, [], 'nothing created');

  const room = await createRoom({ loggingConfigurationIdentifiers: [lc.arn] });
  const room2 = await createRoom({ loggingConfigurationIdentifiers: [lc.arn, lc2.arn] });
  await expectError(api.send(new UpdateRoomCommand({ identifier: room.arn, loggingConfigurationIdentifiers: [missingLcArn] })),
    ResourceNotFoundException, 404);
  assert.deepEqual((await getRoom(room.arn)).loggingConfigurationIdentifiers, [lc.arn], 'failed update changed nothing');

  const err = await expectError(api.send(new DeleteLoggingConfigurationCommand({ identifier: lc.arn })),
    ConflictException, 409, { resourceId: lc.id });
  assert.equal(typeof err.resourceType, 'string');
  await api.send(new UpdateRoomCommand({ identifier: room.arn, loggingConfigurationIdentifiers: [] }));
  await expectError(api.send(new DeleteLoggingConfigurationCommand({ identifier: lc.arn })), ConflictException, 409);
  await api.send(new DeleteRoomCommand({ identifier: room2.arn }));  // deleting the room also frees it
  const del = await api.send(new DeleteLoggingConfigurationCommand({ identifier: lc.arn }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await api.send(new UpdateRoomCommand({ identifier: room.arn, loggingConfigurationIdentifiers: [lc2.arn] }));
  await expectError(api.send(new DeleteLoggingConfigurationCommand({ identifier: lc2.arn })), ConflictException, 409);
  await api.send(new UpdateRoomCommand({ identifier: room.arn, loggingConfigurationIdentifiers: [] }));
  assert.equal((await api.send(new DeleteLoggingConfigurationCommand({ identifier: lc2.arn }))).$metadata.httpStatusCode, 204);
});

test('TagResource / ListTagsForResource / UntagResource on rooms and logging configurations', async () => {
  const room = await createRoom({ tags: { initial: 'yes' } });
  const lc = await createLc({ destinationConfiguration: s3() });
  const odd = 'key with space/and:colon+plus=eq&amp';
  for (const arn of [room.arn, lc.arn]) {
    const initial = arn === room.arn ? { initial: 'yes' } : {};
    const listed0 = await api.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.equal(listed0.$metadata.httpStatusCode, 200);
    assert.deepEqual(listed0.tags, initial);

    const tagged = await api.send(new TagResourceCommand({
      resourceArn: arn, tags: { env: 'prod', team: 'chat', [odd]: 'v/1 ü', empty: '' },
    }));
    assert.equal(tagged.$metadata.httpStatusCode, 200);
    assert.deepEqual(Object.keys(tagged), ['$metadata']);
    let listed = await api.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.deepEqual(listed.tags, { ...initial, env: 'prod', team: 'chat', [odd]: 'v/1 ü', empty: '' });

    // Overwrite one key, add another.
    await api.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'dev', extra: 'x' } }));
    listed = await api.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.deepEqual(listed.tags, { ...initial, env: 'dev', team: 'chat', [odd]: 'v/1 ü', empty: '', extra: 'x' });

    // Remove several keys (one of them absent: untag is idempotent).
    const untagged = await api.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env', odd, 'never-set'] }));
    assert.equal(untagged.$metadata.httpStatusCode, 200);
    listed = await api.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.deepEqual(listed.tags, { ...initial, team: 'chat', empty: '', extra: 'x' });
    await api.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env', odd] }));
    assert.deepEqual((await api.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, listed.tags);

    // Limit: at most 50 tags per resource, counted after merging.
    const current = Object.keys(listed.tags).length;
    const fill = Object.fromEntries(Array.from({ length: 50 - current }, (_, i) => [`fill-${i}`, `${i}`]));
    await api.send(new TagResourceCommand({ resourceArn: arn, tags: fill }));
    assert.equal(Object.keys((await api.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).length, 50);
    await api.send(new TagResourceCommand({ resourceArn: arn, tags: { 'fill-0': 'overwrite is fine at 50' } }));
    await expectError(api.send(new TagResourceCommand({ resourceArn: arn, tags: { 'one-too-many': 'x' } })),
      ValidationException, 400);
    assert.equal(Object.keys((await api.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).length, 50);
    await api.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: Object.keys(fill) }));
    assert.deepEqual((await api.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, listed.tags);
  }
  // The room's tags are what GetRoom reports too; the configuration's likewise.
  assert.deepEqual((await getRoom(room.arn)).tags, { initial: 'yes', team: 'chat', empty: '', extra: 'x' });
  assert.deepEqual((await api.send(new GetLoggingConfigurationCommand({ identifier: lc.arn }))).tags,
    { team: 'chat', empty: '', extra: 'x' });

  const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
  await expectFieldError(api.send(new UntagResourceCommand({ resourceArn: room.arn, tagKeys: Object.keys(tooMany) })), 'tagKeys');
  await expectFieldError(api.send(new TagResourceCommand({ resourceArn: room.arn })), 'tags');
  await expectFieldError(api.send(new TagResourceCommand({ resourceArn: room.arn, tags: tooMany })), 'tags');
  await expectFieldError(createRoom({ tags: tooMany }), 'tags');
  await expectFieldError(createLc({ destinationConfiguration: s3(), tags: tooMany }), 'tags');
  await expectFieldError(api.send(new TagResourceCommand({ resourceArn: room.arn, tags: { ['k'.repeat(129)]: 'v' } })), 'tags');
  await expectFieldError(api.send(new TagResourceCommand({ resourceArn: room.arn, tags: { k: 'v'.repeat(257) } })), 'tags');
  await api.send(new TagResourceCommand({ resourceArn: room.arn, tags: { ['k'.repeat(128)]: 'v'.repeat(256) } }));
  // AWS's tag rules reserve the aws: prefix for keys and values, in any letter case.
  for (const tags of [{ 'aws:team': 'v' }, { 'AWS:team': 'v' }, { team: 'Aws:chat' }]) {
    await expectFieldError(api.send(new TagResourceCommand({ resourceArn: room.arn, tags })), 'tags');
    await expectFieldError(api.send(new TagResourceCommand({ resourceArn: lc.arn, tags })), 'tags');
    await expectFieldError(createRoom({ tags }), 'tags');
    await expectFieldError(createLc({ destinationConfiguration: s3(), tags }), 'tags');
  }
  const reservedLeftOut = await api.send(new ListTagsForResourceCommand({ resourceArn: room.arn }));
  assert.ok(Object.entries(reservedLeftOut.tags).every(([k, v]) => !/^aws:/i.test(k) && !/^aws:/i.test(v)));
  await api.send(new TagResourceCommand({ resourceArn: room.arn, tags: { awsteam: 'aws', 'team:aws:x': 'x' } }));

  for (const cmd of [
    new ListTagsForResourceCommand({ resourceArn: missingRoomArn }),
    new TagResourceCommand({ resourceArn: missingRoomArn, tags: { a: 'b' } }),
    new UntagResourceCommand({ resourceArn: missingRoomArn, tagKeys: ['a'] }),
  ]) await expectError(api.send(cmd), ResourceNotFoundException, 404, { resourceId: 'ZZZZzzzz9999' });
  await expectError(api.send(new ListTagsForResourceCommand({ resourceArn: missingLcArn })),
    ResourceNotFoundException, 404, { resourceId: 'ZZZZzzzz9999' });
});

test('CreateChatToken', async () => {
  const room = await createRoom({ name: 'tokens' });
  for (const minutes of [undefined, 1, 5, 180]) {
    const requested = Date.now();
    const tok = await api.send(new CreateChatTokenCommand({
      roomIdentifier: room.arn, userId: 'alice', sessionDurationInMinutes: minutes,
      capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'], attributes: { displayName: 'Alice' },
    }));
    assert.equal(tok.$metadata.httpStatusCode, 200);
    assert.equal(typeof tok.token, 'string');
    assert.match(tok.token, /^[A-Za-z0-9_-]+$/);
    assert.ok(tok.tokenExpirationTime instanceof Date, 'tokenExpirationTime is a Date');
    assert.ok(tok.sessionExpirationTime instanceof Date, 'sessionExpirationTime is a Date');
    const session = (tok.sessionExpirationTime - requested) / 60000;
    assert.ok(Math.abs(session - (minutes ?? 60)) < 2 / 60, `session ${session} min vs ${minutes ?? 60}`);
    assert.ok(tok.tokenExpirationTime <= tok.sessionExpirationTime, 'token expiry <= session expiry');
    assert.ok(tok.tokenExpirationTime.getTime() > requested, 'token expires in the future');
  }
  // Each call mints a different token.
  const t1 = await api.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: 'bob' }));
  const t2 = await api.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: 'bob' }));
  assert.notEqual(t1.token, t2.token);
  // userId is any UTF-8 text.
  await api.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: 'ünïcødé user 🙂' }));

  await expectError(api.send(new CreateChatTokenCommand({ roomIdentifier: missingRoomArn, userId: 'alice' })),
    ResourceNotFoundException, 404, { resourceId: 'ZZZZzzzz9999', resourceType: 'ROOM' });
  await expectFieldError(api.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: 'a', capabilities: ['FLY'] })),
    'capabilities');
  await expectFieldError(api.send(new CreateChatTokenCommand({ roomIdentifier: room.arn })), 'userId');
});

test('SendEvent, DeleteMessage and DisconnectUser', async () => {
  const room = await createRoom({ name: 'events' });
  const tok = await api.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: 'watcher' }));
  const ws = new WebSocket(parley.chatUrl, tok.token);
  const frames = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  const closed = new Promise((r) => ws.once('close', (code) => r(code)));
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });

  const ev = await api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'app:ping', attributes: { n: '1' } }));
  assert.equal(ev.$metadata.httpStatusCode, 200);
  assert.match(ev.id, /^[A-Za-z0-9]{12}$/);
  const seen = await waitForFrame(frames, (f) => f.Type === 'EVENT' && f.EventName === 'app:ping');
  assert.equal(seen.Id, ev.id, 'the SendEvent id is the event Id clients see');
  assert.deepEqual(seen.Attributes, { n: '1' });
  await api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'no-attributes' }));

  const dm = await api.send(new DeleteMessageCommand({ roomIdentifier: room.arn, id: 'AbCdEf123456', reason: 'spam' }));
  assert.equal(dm.$metadata.httpStatusCode, 200);
  assert.match(dm.id, /^[A-Za-z0-9]{12}$/);
  const del = await waitForFrame(frames, (f) => f.Type === 'EVENT' && f.EventName === 'aws:DELETE_MESSAGE');
  assert.equal(del.Attributes.MessageID ?? del.Attributes.MessageId, 'AbCdEf123456');
  await api.send(new DeleteMessageCommand({ roomIdentifier: room.arn, id: 'AbCdEf123457' }));  // reason optional

  const nobody = await api.send(new DisconnectUserCommand({ roomIdentifier: room.arn, userId: 'not-connected' }));
  assert.equal(nobody.$metadata.httpStatusCode, 200);
  assert.deepEqual(Object.keys(nobody), ['$metadata']);
  const dc = await api.send(new DisconnectUserCommand({ roomIdentifier: room.arn, userId: 'watcher', reason: 'bye' }));
  assert.equal(dc.$metadata.httpStatusCode, 200);
  assert.equal(await Promise.race([closed, sleep(5000).then(() => 'timeout')]), 1000, 'connection closed with 1000');

  for (const cmd of [
    new SendEventCommand({ roomIdentifier: missingRoomArn, eventName: 'x' }),
    new DeleteMessageCommand({ roomIdentifier: missingRoomArn, id: 'AbCdEf123456' }),
    new DisconnectUserCommand({ roomIdentifier: missingRoomArn, userId: 'u' }),
  ]) await expectError(api.send(cmd), ResourceNotFoundException, 404, { resourceId: 'ZZZZzzzz9999', resourceType: 'ROOM' });

  await expectFieldError(api.send(new DeleteMessageCommand({ roomIdentifier: room.arn, id: 'short' })), 'id');
  await expectFieldError(api.send(new DeleteMessageCommand({ roomIdentifier: room.arn, id: 'AbCdEf12345-' })), 'id');
  await expectFieldError(api.send(new DeleteMessageCommand({ roomIdentifier: room.arn, id: 'AbCdEf123456', reason: '' })), 'reason');
  await expectFieldError(api.send(new DeleteMessageCommand({ roomIdentifier: room.arn, id: 'AbCdEf123456', reason: 'r'.repeat(257) })), 'reason');
  await api.send(new DisconnectUserCommand({ roomIdentifier: room.arn, userId: 'u', reason: 'r'.repeat(256) }));
  await expectFieldError(api.send(new DisconnectUserCommand({ roomIdentifier: room.arn, userId: 'u', reason: 'r'.repeat(257) })), 'reason');
  await expectFieldError(api.send(new DisconnectUserCommand({ roomIdentifier: room.arn, userId: '' })), 'userId');
  await expectFieldError(api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: '' })), 'eventName');
  await api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'e'.repeat(100) }));
  await expectFieldError(api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'e'.repeat(101) })), 'eventName');
});

async function waitForFrame(frames, pred, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = frames.find(pred);
    if (f) return f;
    if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(frames)}`);
    await sleep(20);
  }
}

test('field limits on both sides of each bound', async () => {
  const room = await createRoom({ name: 'bounds' });
  const lc = await createLc({ destinationConfiguration: s3() });

  // name: 0-128 of [a-zA-Z0-9-_]
  assert.equal((await createRoom({ name: 'n'.repeat(128) })).name, 'n'.repeat(128));
  await expectFieldError(createRoom({ name: 'n'.repeat(129) }), 'name');
  await expectFieldError(createRoom({ name: 'has space' }), 'name');
  assert.equal((await createLc({ name: 'n'.repeat(128), destinationConfiguration: s3() })).name, 'n'.repeat(128));
  await expectFieldError(createLc({ name: 'n'.repeat(129), destinationConfiguration: s3() }), 'name');
  await expectFieldError(api.send(new UpdateRoomCommand({ identifier: room.arn, name: 'n'.repeat(129) })), 'name');

  // maximumMessageLength: 1-500
  await expectFieldError(createRoom({ maximumMessageLength: 0 }), 'maximumMessageLength');
  assert.equal((await createRoom({ maximumMessageLength: 1 })).maximumMessageLength, 1);
  assert.equal((await createRoom({ maximumMessageLength: 500 })).maximumMessageLength, 500);
  await expectFieldError(createRoom({ maximumMessageLength: 501 }), 'maximumMessageLength');
  await expectFieldError(api.send(new UpdateRoomCommand({ identifier: room.arn, maximumMessageLength: 501 })), 'maximumMessageLength');

  // maximumMessageRatePerSecond: 1-100
  await expectFieldError(createRoom({ maximumMessageRatePerSecond: 0 }), 'maximumMessageRatePerSecond');
  assert.equal((await createRoom({ maximumMessageRatePerSecond: 1 })).maximumMessageRatePerSecond, 1);
  assert.equal((await createRoom({ maximumMessageRatePerSecond: 100 })).maximumMessageRatePerSecond, 100);
  await expectFieldError(createRoom({ maximumMessageRatePerSecond: 101 }), 'maximumMessageRatePerSecond');
  await expectFieldError(api.send(new UpdateRoomCommand({ identifier: room.arn, maximumMessageRatePerSecond: 0 })), 'maximumMessageRatePerSecond');

  // A failed update leaves the room untouched.
  const untouched = await getRoom(room.arn);
  assert.equal(untouched.name, 'bounds');
  assert.equal(untouched.maximumMessageLength, 500);

  // sessionDurationInMinutes: 1-180
  const token = (input) => api.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: 'u', ...input }));
  await expectFieldError(token({ sessionDurationInMinutes: 0 }), 'sessionDurationInMinutes');
  await token({ sessionDurationInMinutes: 1 });
  await token({ sessionDurationInMinutes: 180 });
  await expectFieldError(token({ sessionDurationInMinutes: 181 }), 'sessionDurationInMinutes');

  // attributes: 1 KB in total (keys + values)
  await token({ attributes: { k: 'v'.repeat(1023) } });
  await token({ attributes: { ab: 'v'.repeat(500), cd: 'w'.repeat(520) } });
  await expectFieldError(token({ attributes: { k: 'v'.repeat(1024) } }), 'attributes');
  await api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'e', attributes: { k: 'v'.repeat(1023) } }));
  await expectFieldError(api.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: 'e', attributes: { k: 'v'.repeat(1024) } })), 'attributes');

  // userId: 1-128
  await token({ userId: 'u'.repeat(128) });
  await expectFieldError(token({ userId: 'u'.repeat(129) }), 'userId');
  await expectFieldError(token({ userId: '' }), 'userId');

  // loggingConfigurationIdentifiers: at most 3
  const four = [1, 2, 3, 4].map((i) => `arn:aws:ivschat:us-east-1:${ACCOUNT}:logging-configuration/AAAAAAAAAAA${i}`);
  await expectFieldError(createRoom({ loggingConfigurationIdentifiers: four }), 'loggingConfigurationIdentifiers');
  await expectFieldError(api.send(new UpdateRoomCommand({ identifier: room.arn, loggingConfigurationIdentifiers: four })),
    'loggingConfigurationIdentifiers');
  await expectFieldError(createRoom({ loggingConfigurationIdentifiers: ['not-an-arn'] }), 'loggingConfigurationIdentifiers');

  // destinationConfiguration: exactly one member; members' own patterns.
  await expectFieldError(createLc({ destinationConfiguration: { ...s3(), firehose: { deliveryStreamName: 'x' } } }),
    'destinationConfiguration');
  await expectFieldError(createLc({ destinationConfiguration: {} }), 'destinationConfiguration');
  await expectFieldError(createLc({}), 'destinationConfiguration');
  await expectFieldError(createLc({ destinationConfiguration: s3('UPPER') }), 'destinationConfiguration');
  await expectFieldError(createLc({ destinationConfiguration: s3('ab') }), 'destinationConfiguration');
  await createLc({ destinationConfiguration: s3('abc') });
  await createLc({ destinationConfiguration: s3('b'.repeat(63)) });
  await expectFieldError(createLc({ destinationConfiguration: s3('b'.repeat(64)) }), 'destinationConfiguration');
  await expectFieldError(createLc({ destinationConfiguration: { firehose: { deliveryStreamName: 'f'.repeat(65) } } }),
    'destinationConfiguration');
  await expectFieldError(api.send(new UpdateLoggingConfigurationCommand({
    identifier: lc.arn, destinationConfiguration: { ...s3(), cloudWatchLogs: { logGroupName: 'g' } },
  })), 'destinationConfiguration');

  // messageReviewHandler: a Lambda ARN (or "") of at most 170 chars, fallbackResult ALLOW|DENY
  await expectFieldError(createRoom({ messageReviewHandler: { uri: 'https://example.com/review' } }), 'messageReviewHandler');
  await expectFieldError(createRoom({ messageReviewHandler: { uri: LAMBDA, fallbackResult: 'MAYBE' } }), 'messageReviewHandler');
  const longLambda = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:`;
  await createRoom({ messageReviewHandler: { uri: longLambda + 'f'.repeat(170 - longLambda.length) } });
  await expectFieldError(createRoom({ messageReviewHandler: { uri: longLambda + 'f'.repeat(171 - longLambda.length) } }),
    'messageReviewHandler');

  // Identifiers must be ARNs of the right type.
  for (const bad of ['not-an-arn', room.id, lc.arn, 'arn:aws:ivschat:us-east-1:123456789012:room/short']) {
    await expectFieldError(getRoom(bad), 'identifier');
  }
  await expectFieldError(api.send(new GetLoggingConfigurationCommand({ identifier: room.arn })), 'identifier');
  await expectFieldError(api.send(new CreateChatTokenCommand({ roomIdentifier: 'room/x', userId: 'u' })), 'roomIdentifier');
  await expectFieldError(api.send(new SendEventCommand({ roomIdentifier: room.id, eventName: 'e' })), 'roomIdentifier');
  // A well-formed ARN from another account or region names a room that does not exist.
  await expectError(getRoom(room.arn.replace(ACCOUNT, '210987654321')), ResourceNotFoundException, 404, { resourceId: room.id });
  await expectError(getRoom(room.arn.replace('us-east-1', 'eu-west-1')), ResourceNotFoundException, 404, { resourceId: room.id });
});

test('quotas answer ServiceQuotaExceededException (402)', async () => {
  const own = await startParley({ args: ['--max-rooms', '2'] });
  try {
    const q = own.client();
    for (let i = 0; i < 10; i++)  // the default quota is 10 logging configurations (spec 5)
      await q.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: s3() }));
    await expectError(q.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: s3() })),
      ServiceQuotaExceededException, 402, { limit: 10 });
    await q.send(new CreateRoomCommand({}));
    const r = await q.send(new CreateRoomCommand({}));
    await expectError(q.send(new CreateRoomCommand({})), ServiceQuotaExceededException, 402, { limit: 2 });
    await q.send(new DeleteRoomCommand({ identifier: r.arn }));
    await q.send(new CreateRoomCommand({}));
  } finally {
    await own.stop();
  }
});

test('SigV4 failures: wrong secret, unknown key, no auth, stale clock', async () => {
  const room = await createRoom({ name: 'auth' });
  const wrongSecret = parley.client({ credentials: { ...credentials, secretAccessKey: 'not-the-secret' } });
  await expectError(wrongSecret.send(new GetRoomCommand({ identifier: room.arn })), 'InvalidSignatureException', 403);
  await expectError(wrongSecret.send(new ListTagsForResourceCommand({ resourceArn: room.arn })), 'InvalidSignatureException', 403);
  const unknownKey = parley.client({ credentials: { accessKeyId: 'AKIDUNKNOWN000000000', secretAccessKey: 'x' } });
  await expectError(unknownKey.send(new ListRoomsCommand({})), 'UnrecognizedClientException', 403);

  const res = await fetch(`${parley.apiUrl}/ListRooms`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
  });
  await assertJsonError(res, 403, 'MissingAuthenticationTokenException');

  const stale = parley.client({ systemClockOffset: -600000 });
  const err = await expectError(stale.send(new ListRoomsCommand({})), 'InvalidSignatureException', 403);
  assert.match(err.message, /Signature expired/, 'message the SDK treats as clock skew');
  const future = parley.client({ systemClockOffset: 600000 });
  await expectError(future.send(new ListRoomsCommand({})), 'InvalidSignatureException', 403);
  // 4 minutes off is inside the 5-minute window.
  await parley.client({ systemClockOffset: -240000 }).send(new ListRoomsCommand({ maxResults: 1 }));
  // With retries on, the SDK corrects its clock from the Date header and succeeds.
  const healing = parley.client({ systemClockOffset: -600000, maxAttempts: 3 });
  const ok = await healing.send(new ListRoomsCommand({ maxResults: 1 }));
  assert.equal(ok.$metadata.httpStatusCode, 200);
  assert.equal(ok.$metadata.attempts, 2);

  // A signature for another service, or over another body, does not verify. (The region in the
  // scope is not checked: docs/compatibility.md treats it as a deployment label.)
  for (const scope of [{ region: 'us-east-1', service: 'ivs' }]) {
    const other = new SignatureV4({ credentials, ...scope, sha256: Hash.bind(null, 'sha256') });
    const url = new URL('/ListRooms', parley.apiUrl);
    const signed = await other.sign({
      method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/ListRooms',
      headers: { host: url.host, 'content-type': 'application/json' }, body: '{}',
    });
    const { host, ...h } = signed.headers;
    const res = await fetch(url, { method: 'POST', headers: h, body: '{}' });
    assert.equal(res.status, 403, `scope ${JSON.stringify(scope)}`);
    assert.ok(res.headers.get('x-amzn-errortype'));
    await res.arrayBuffer();
  }
  {
    const url = new URL('/CreateRoom', parley.apiUrl);
    const signed = await signer.sign({
      method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/CreateRoom',
      headers: { host: url.host, 'content-type': 'application/json' }, body: '{"name":"signed"}',
    });
    const { host, ...h } = signed.headers;
    assert.ok(h['x-amz-content-sha256'] === undefined || typeof h['x-amz-content-sha256'] === 'string');
    const res = await fetch(url, { method: 'POST', headers: h, body: '{"name":"swapped"}' });
    assert.ok(res.status === 400 || res.status === 403, `swapped body answered ${res.status}`);
    await res.arrayBuffer();
    assert.deepEqual((await api.send(new ListRoomsCommand({ name: 'swapped' }))).rooms, [], 'nothing created');
  }

  // The failed calls changed nothing.
  assert.equal((await getRoom(room.arn)).name, 'auth');
});

test('raw HTTP robustness: routes, bodies, headers, health', async () => {
  const health = await fetch(`${parley.apiUrl}/healthz`);
  assert.equal(health.status, 200);

  const ok = await signedFetch('POST', '/ListRooms', JSON.stringify({ maxResults: 1 }));
  assert.equal(ok.status, 200);
  const date = ok.headers.get('date');
  assert.ok(date && Math.abs(Date.parse(date) - Date.now()) < 5000, `Date header ${date}`);
  assert.match(ok.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
  assert.match(ok.headers.get('content-type') ?? '', /^application\/json/);
  assert.ok(Array.isArray((await ok.json()).rooms));

  // A signed request with no body at all is an empty input.
  const empty = await signedFetch('POST', '/ListRooms', undefined);
  assert.equal(empty.status, 200);

  await assertJsonError(await signedFetch('POST', '/NoSuchOperation', '{}'), 404, 'UnknownOperationException');
  const wrongMethod = await signedFetch('GET', '/CreateRoom', undefined);
  assert.ok(wrongMethod.status >= 400 && wrongMethod.status < 500);
  assert.ok(wrongMethod.headers.get('x-amzn-errortype'));
  await wrongMethod.arrayBuffer();

  for (const body of ['{"name":', 'not json', '[1,2,3]', '"str"', '{"name": "a",}']) {
    const res = await signedFetch('POST', '/CreateRoom', body);
    assert.equal(res.status, 400, `body ${body}`);
    assert.ok(res.headers.get('x-amzn-errortype'), `x-amzn-ErrorType for ${body}`);
    assert.equal(typeof (await res.json()).message, 'string');
  }
  // Wrong JSON types for members are 400s (validation or serialization errors), not crashes.
  for (const body of ['{"name": 5}', '{"maximumMessageLength": "5"}', '{"maximumMessageLength": 1.5}',
    '{"maximumMessageLength": 1e400}', '{"tags": {"a": 1}}', '{"tags": []}', '{"loggingConfigurationIdentifiers": "x"}',
    '{"messageReviewHandler": "x"}', '{"name": "\\ud800"}', '{"name": null}']) {
    const res = await signedFetch('POST', '/CreateRoom', body);
    const type = res.headers.get('x-amzn-errortype')?.split(':')[0];
    if (body === '{"name": null}') {  // null means "not set"
      assert.equal(res.status, 200, `body ${body}: ${type}`);
    } else {
      assert.equal(res.status, 400, `body ${body}`);
      assert.ok(['ValidationException', 'SerializationException'].includes(type), `type ${type} for ${body}`);
    }
    await res.arrayBuffer();
  }

  // A body over 1 MiB is refused with 413, and the server keeps serving.
  const big = JSON.stringify({ name: 'x', pad: 'p'.repeat(1024 * 1024) });
  let bigStatus;
  try {
    const res = await fetch(`${parley.apiUrl}/CreateRoom`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: big,
    });
    bigStatus = res.status;
    assert.ok(res.headers.get('x-amzn-errortype'));
    await res.arrayBuffer();
  } catch (e) {
    assert.fail(`oversized body: no HTTP answer (${e.cause?.code ?? e.message})`);
  }
  assert.equal(bigStatus, 413);
  const signedBig = await signedFetch('POST', '/CreateRoom', big);
  assert.equal(signedBig.status, 413);
  await signedBig.arrayBuffer();
  assert.equal((await fetch(`${parley.apiUrl}/healthz`)).status, 200);
  const after = await api.send(new ListRoomsCommand({ maxResults: 1 }));
  assert.equal(after.$metadata.httpStatusCode, 200);

  // Tag routes with a path that is not an ARN.
  const badArn = await signedFetch('GET', '/tags/not-an-arn', undefined);
  assert.ok(badArn.status === 400 || badArn.status === 404, `status ${badArn.status}`);
  assert.ok(badArn.headers.get('x-amzn-errortype'));
  await badArn.arrayBuffer();

  // Every SDK response carries the request id.
  assert.match((await api.send(new ListRoomsCommand({ maxResults: 1 }))).$metadata.requestId, /^[0-9a-f-]{36}$/);
});
