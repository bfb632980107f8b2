// Two nodes on one database, hammered at the same time, then the invariants checked in the
// database itself: quotas are never exceeded, a logging configuration is either deleted (and
// no room names it) or still there (and the delete was refused), every acknowledged room
// exists, and ListRooms pages through every room exactly once while writes go on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLoggingConfigurationCommand,
  CreateRoomCommand,
  DeleteLoggingConfigurationCommand,
  ListRoomsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateRoomCommand,
  paginateListRooms,
} from '@aws-sdk/client-ivschat';
import { startParley } from './lib/parley.mjs';
import { database, postgresAvailable, psql, sharedCluster } from './lib/postgres.mjs';

const skip = postgresAvailable() ? false : 'PostgreSQL 15 is not installed';
const MAX_ROOMS = 60;
const MAX_LCS = 5;
let store, a, b, apiA, apiB;

before(async () => {
  if (skip) return;
  store = database(sharedCluster());
  const args = ['--max-rooms', String(MAX_ROOMS), '--max-logging-configurations', String(MAX_LCS)];
  a = await startParley({ store, args });
  b = await startParley({ store, args });
  apiA = a.client();
  apiB = b.client();
});
after(async () => {
  await a?.stop();
  await b?.stop();
});

// Runs the promises, returning [successes, error names].
async function settle(promises) {
  const results = await Promise.allSettled(promises);
  return [
    results.filter((r) => r.status === 'fulfilled').map((r) => r.value),
    results.filter((r) => r.status === 'rejected').map((r) => r.reason.name),
  ];
}

test('logging-configuration quota across nodes', { skip }, async () => {
  const create = (api) => api.send(new CreateLoggingConfigurationCommand({
    destinationConfiguration: { s3: { bucketName: 'hammer' } },
  }));
  const [ok, errors] = await settle(Array.from({ length: 12 }, (_, i) => create(i % 2 ? apiA : apiB)));
  assert.equal(ok.length, MAX_LCS);
  assert.deepEqual([...new Set(errors)], ['ServiceQuotaExceededException']);
  assert.equal(Number(psql(store, 'SELECT count(*) FROM logging_configurations')), MAX_LCS);
});

test('deleting a logging configuration on B while A and B create rooms naming it', { skip }, async (t) => {
  const configs = psql(store, 'SELECT arn || \' \' || id FROM logging_configurations').split('\n').map((l) => l.split(' '));
  let deletedCount = 0;
  for (const [round, [arn]] of configs.entries()) {
    let deleted = false;
    // Odd rounds give the delete a head start of a few milliseconds, so both outcomes occur.
    const deleter = (async () => {
      if (round % 2 === 0) await new Promise((r) => setTimeout(r, 5));
      for (let i = 0; i < 6 && !deleted; i++) {
        try {
          await apiB.send(new DeleteLoggingConfigurationCommand({ identifier: arn }));
          deleted = true;
        } catch (e) {
          assert.equal(e.name, 'ConflictException');
        }
      }
    })();
    const creates = Array.from({ length: 6 }, (_, i) =>
      (i % 2 ? apiA : apiB).send(new CreateRoomCommand({ loggingConfigurationIdentifiers: [arn] })));
    const [rooms, errors] = await settle(creates);
    await deleter;
    for (const name of errors) assert.equal(name, 'ResourceNotFoundException');
    const exists = Number(psql(store, `SELECT count(*) FROM logging_configurations WHERE arn = '${arn}'`)) === 1;
    const naming = Number(psql(store, `SELECT count(*) FROM room_logging_configurations WHERE logging_configuration_arn = '${arn}'`));
    assert.equal(exists, !deleted, 'a configuration exists exactly when no delete succeeded');
    assert.equal(naming, rooms.length, 'every acknowledged room names it, and only those');
    if (deleted) assert.equal(naming, 0, 'a deleted configuration is named by no room');
    if (deleted) deletedCount += 1;
  }
  // Both outcomes are legal; the invariants above hold either way.
  t.diagnostic(`${deletedCount} of ${configs.length} configurations deleted during the race`);
});

test('room quota across nodes, with updates and paging going on', { skip }, async () => {
  const before = Number(psql(store, 'SELECT count(*) FROM rooms'));
  const creates = Array.from({ length: 2 * MAX_ROOMS }, (_, i) =>
    (i % 2 ? apiA : apiB).send(new CreateRoomCommand({ name: `q${i}` })));
  const [ok, errors] = await settle(creates);
  assert.equal(ok.length, MAX_ROOMS - before);
  assert.deepEqual([...new Set(errors)], ['ServiceQuotaExceededException']);
  assert.equal(Number(psql(store, 'SELECT count(*) FROM rooms')), MAX_ROOMS);

  // Page through every room on B while A keeps renaming some (renames reorder by updateTime):
  // no room is lost or listed twice among those not being written.
  const stable = new Set(psql(store, 'SELECT arn FROM rooms').split('\n'));
  const moving = ok.slice(0, 10).map((r) => r.arn);
  for (const arn of moving) stable.delete(arn);
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      await apiA.send(new UpdateRoomCommand({ identifier: moving[i % moving.length], name: `moved${i}` }));
    }
  })();
  const seen = [];
  for await (const page of paginateListRooms({ client: apiB, pageSize: 7 }, {})) {
    seen.push(...page.rooms.map((r) => r.arn));
  }
  writing = false;
  await writer;
  const seenStable = seen.filter((arn) => stable.has(arn));
  assert.equal(seenStable.length, stable.size, 'each room not being written listed exactly once');
  assert.equal(new Set(seenStable).size, stable.size);
});

test('the 50-tag limit holds when two nodes tag one room at once', { skip }, async () => {
  const room = (await apiA.send(new ListRoomsCommand({ maxResults: 1 }))).rooms[0];
  const tags = (prefix) => Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`${prefix}${i}`, 'v']));
  const [ok, errors] = await settle([
    apiA.send(new TagResourceCommand({ resourceArn: room.arn, tags: tags('a') })),
    apiB.send(new TagResourceCommand({ resourceArn: room.arn, tags: tags('b') })),
  ]);
  // Each alone fits; together they would make 60. Exactly one wins, whichever node it is on.
  assert.equal(ok.length, 1);
  assert.deepEqual(errors, ['ValidationException']);
  const stored = (await apiB.send(new ListTagsForResourceCommand({ resourceArn: room.arn }))).tags;
  assert.equal(Object.keys(stored).length, 30);
});
