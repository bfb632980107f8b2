// Regenerates the JS SDK known answers in tests/unit/auth_sdk_vectors_test.cpp (run from the
// repository with node_modules installed). amz-sdk-invocation-id is random but signed, so the
// test embeds the captured value.
// Signs ivschat requests with the official JS SDK v3 at a fixed time (Date.now patched) and
// prints what went on the wire; the request handler never touches the network.
const { createRequire } = require("module");
const req = createRequire(require("path").join(__dirname, "../../../../package.json"));
const { IvschatClient, CreateRoomCommand, ListTagsForResourceCommand, UntagResourceCommand } =
  req("@aws-sdk/client-ivschat");
const FIXED = Date.UTC(2024, 4, 6, 7, 8, 9);
Date.now = () => FIXED;
const captured = [];
const handler = {
  handle: async (request) => {
    captured.push(request);
    const { Readable } = require("stream");
    return { response: { statusCode: 200, headers: { "content-type": "application/json" },
                         body: Readable.from([Buffer.from("{}")]) } };
  },
  updateHttpClientConfig() {}, httpHandlerConfigs() { return {}; },
};
(async () => {
  const c = new IvschatClient({ region: "us-east-1", requestHandler: handler,
    credentials: { accessKeyId: "AKIAPARLEYTEST000001",
                   secretAccessKey: "parleySecretKeyForUnitTests/0123456789ab" } });
  const arn = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234";
  for (const cmd of [new CreateRoomCommand({ name: "lobby" }),
                     new ListTagsForResourceCommand({ resourceArn: arn }),
                     new UntagResourceCommand({ resourceArn: arn, tagKeys: ["zeta", "alpha", "mid dle"] })]) {
    try { await c.send(cmd); } catch (e) { console.log("call error (ignored):", e.name, e.message); }
  }
  for (const r of captured) {
    console.log(JSON.stringify({ method: r.method, hostname: r.hostname, path: r.path, query: r.query,
                                 headers: r.headers, body: r.body }, null, 1));
  }
})();
