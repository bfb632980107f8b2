// A small CloudWatch Logs + Firehose API server for the chat log delivery tests. It checks every
// request the way the services document them and answers like they do:
//   * SigV4: the Authorization header is recomputed with the AWS SDK's own signer
//     (@smithy/signature-v4) over the headers it names; scope service logs / firehose.
//   * AWS JSON 1.1: POST /, Content-Type application/x-amz-json-1.1, X-Amz-Target
//     Logs_20140328.<Op> or Firehose_20150804.<Op>.
//   * PutLogEvents: 1..10,000 events, sum(UTF-8 message bytes + 26) <= 1,048,576, each event
//     <= 1 MiB, timestamps in chronological order, a batch spanning <= 24 h, the stream exists
//     (else ResourceNotFoundException; CreateLogStream makes it, twice is
//     ResourceAlreadyExistsException).
//   * PutRecordBatch: 1..500 records, Data base64, each <= 1,000 KiB decoded, <= 4 MiB in all;
//     failRecords makes the next batch report those record indexes failed (FailedPutCount).
// A request that breaks a rule gets a 400 and is recorded in `violations`.
import http from 'node:http';
import https from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';

const LOGS_LIMITS = { events: 10000, bytes: 1048576, overhead: 26, spanMs: 24 * 3600 * 1000 };
const FIREHOSE_LIMITS = { records: 500, recordBytes: 1000 * 1024, bytes: 4 * 1024 * 1024 };

function amzDateToDate(d) {
  return new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`);
}

async function checkSignature(req, body, credentials, service, region) {
  const auth = req.headers.authorization ?? '';
  const m = auth.match(/^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/);
  if (!m) return `malformed Authorization: ${auth}`;
  const [, keyId, , scopeRegion, scopeService, signedHeaders] = m;
  if (keyId !== credentials.accessKeyId) return `unknown access key ${keyId}`;
  if (scopeService !== service) return `scope service ${scopeService}, expected ${service}`;
  if (scopeRegion !== region) return `scope region ${scopeRegion}, expected ${region}`;
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-target', 'content-type'])
    if (!names.includes(required)) return `${required} is not signed`;
  const headers = {};
  for (const n of names) headers[n] = req.headers[n];
  const [hostname, port] = req.headers.host.split(':');
  const signer = new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, 'sha256'), uriEscapePath: true });
  const signed = await signer.sign({ method: req.method, protocol: 'http:', hostname, port: Number(port), path: req.url, query: {}, headers, body },
    { signingDate: amzDateToDate(req.headers['x-amz-date']) });
  if (signed.headers.authorization !== auth) return `signature mismatch: got ${auth}, expected ${signed.headers.authorization}`;
  return null;
}

const onlyKeys = (o, allowed) => Object.keys(o).every((k) => allowed.includes(k));

// tls: { key, cert } serves https instead of http.
export async function startLogServices({ credentials, region = 'us-east-1', logGroups = [], deliveryStreams = [], port = 0, tls = null } = {}) {
  const state = {
    requests: [],          // { target, body } of every well-formed request
    violations: [],        // what broke a documented rule
    groups: new Map(logGroups.map((g) => [g, new Map()])),   // group -> stream -> [events]
    streams: new Map(deliveryStreams.map((s) => [s, []])),  // delivery stream -> [Buffer]
    failRecords: [],       // record indexes the next PutRecordBatch reports failed
  };
  const reject = (res, status, type, message) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: type, message }));
  };
  const violation = (res, what) => {
    state.violations.push(what);
    reject(res, 400, 'ValidationException', what);
  };
  const ok = (res, body) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  };

  const handle = async (req, res, body) => {
    const target = req.headers['x-amz-target'] ?? '';
    if (req.method !== 'POST' || req.url !== '/') return violation(res, `${req.method} ${req.url}`);
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1') return violation(res, `content-type ${req.headers['content-type']}`);
    const service = target.startsWith('Logs_20140328.') ? 'logs' : target.startsWith('Firehose_20150804.') ? 'firehose' : null;
    if (!service) return violation(res, `X-Amz-Target ${target}`);
    const sigProblem = await checkSignature(req, body, credentials, service, region);
    if (sigProblem) {
      state.violations.push(sigProblem);
      return reject(res, 403, 'InvalidSignatureException', sigProblem);
    }
    let input;
    try { input = JSON.parse(body); } catch { return violation(res, 'body is not JSON'); }
    state.requests.push({ target, input });
    switch (target) {
      case 'Logs_20140328.CreateLogStream': {
        if (!onlyKeys(input, ['logGroupName', 'logStreamName'])) return violation(res, 'CreateLogStream: unknown member');
        const group = state.groups.get(input.logGroupName);
        if (!group) return reject(res, 400, 'ResourceNotFoundException', 'The specified log group does not exist.');
        if (typeof input.logStreamName !== 'string' || !/^[^:*]{1,512}$/.test(input.logStreamName)) return violation(res, 'logStreamName');
        if (group.has(input.logStreamName)) return reject(res, 400, 'ResourceAlreadyExistsException', 'The specified log stream already exists');
        group.set(input.logStreamName, []);
        return ok(res, {});
      }
      case 'Logs_20140328.PutLogEvents': {
        if (!onlyKeys(input, ['logGroupName', 'logStreamName', 'logEvents', 'sequenceToken', 'entity'])) return violation(res, 'PutLogEvents: unknown member');
        const group = state.groups.get(input.logGroupName);
        if (!group) return reject(res, 400, 'ResourceNotFoundException', 'The specified log group does not exist.');
        const stream = group.get(input.logStreamName);
        if (!stream) return reject(res, 400, 'ResourceNotFoundException', 'The specified log stream does not exist.');
        const events = input.logEvents;
        if (!Array.isArray(events) || events.length < 1 || events.length > LOGS_LIMITS.events) return violation(res, `logEvents count ${events?.length}`);
        let bytes = 0;
        for (let i = 0; i < events.length; i++) {
          const e = events[i];
          if (!onlyKeys(e, ['timestamp', 'message']) || !Number.isInteger(e.timestamp) || typeof e.message !== 'string' || e.message.length < 1)
            return violation(res, `logEvents[${i}] shape`);
          const size = Buffer.byteLength(e.message, 'utf8');
          if (size + LOGS_LIMITS.overhead > LOGS_LIMITS.bytes) return violation(res, `logEvents[${i}] too large`);
          bytes += size + LOGS_LIMITS.overhead;
          if (i > 0 && e.timestamp < events[i - 1].timestamp) return violation(res, `logEvents[${i}] out of chronological order`);
        }
        if (bytes > LOGS_LIMITS.bytes) return violation(res, `batch of ${bytes} bytes`);
        if (events.at(-1).timestamp - events[0].timestamp > LOGS_LIMITS.spanMs) return violation(res, 'batch spans more than 24 hours');
        stream.push(...events);
        return ok(res, { nextSequenceToken: String(stream.length) });
      }
      case 'Firehose_20150804.PutRecordBatch': {
        if (!onlyKeys(input, ['DeliveryStreamName', 'Records'])) return violation(res, 'PutRecordBatch: unknown member');
        if (typeof input.DeliveryStreamName !== 'string' || !/^[a-zA-Z0-9_.-]{1,64}$/.test(input.DeliveryStreamName)) return violation(res, 'DeliveryStreamName');
        const stream = state.streams.get(input.DeliveryStreamName);
        if (!stream) return reject(res, 400, 'ResourceNotFoundException', `Firehose ${input.DeliveryStreamName} not found.`);
        const records = input.Records;
        if (!Array.isArray(records) || records.length < 1 || records.length > FIREHOSE_LIMITS.records) return violation(res, `Records count ${records?.length}`);
        let total = 0;
        const decoded = [];
        for (let i = 0; i < records.length; i++) {
          const r = records[i];
          if (!onlyKeys(r, ['Data']) || typeof r.Data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(r.Data) || r.Data.length % 4 !== 0)
            return violation(res, `Records[${i}] shape`);
          const data = Buffer.from(r.Data, 'base64');
          if (data.length > FIREHOSE_LIMITS.recordBytes) return violation(res, `Records[${i}] too large`);
          total += data.length;
          decoded.push(data);
        }
        if (total > FIREHOSE_LIMITS.bytes) return violation(res, `batch of ${total} bytes`);
        const fail = new Set(state.failRecords);
        state.failRecords = [];
        const responses = decoded.map((d, i) => {
          if (fail.has(i)) return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
          stream.push(d);
          return { RecordId: `r-${stream.length}` };
        });
        return ok(res, { FailedPutCount: fail.size, Encrypted: false, RequestResponses: responses });
      }
      default:
        return reject(res, 400, 'UnknownOperationException', target);
    }
  };

  let server;
  const listen = (p) => new Promise((resolve, reject) => {
    const onRequest = (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e) => {
          state.violations.push(`server error: ${e.stack}`);
          res.writeHead(500);
          res.end();
        });
      });
    };
    server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
    server.once('error', reject);
    server.listen(p, '127.0.0.1', () => resolve(server.address().port));
  });
  const boundPort = await listen(port);
  return {
    state,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${boundPort}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
    async restart() { await listen(boundPort); },
  };
}
