// A real S3-compatible server for tests: s3rver (npm) on loopback, behind a small front that
// checks what s3rver does not: s3rver 3.7 accepts any SigV4 signature ("V4 calculation is
// unimplemented") and ignores Content-MD5. The front recomputes each request's signature with
// the AWS SDK's own signer (@smithy/signature-v4, service s3) and the MD5 of each PutObject body,
// answers 403 SignatureDoesNotMatch / 400 BadDigest like S3 when they differ (recording the
// problem in `violations`), and forwards everything else to s3rver unchanged.
import http from 'node:http';
import { createHash } from 'node:crypto';
import S3rver from 's3rver';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { freePort } from './parley.mjs';

function amzDateToDate(d) {
  return new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`);
}

async function signatureProblem(req, body, credentials, region) {
  const auth = req.headers.authorization;
  if (!auth) return null;  // anonymous reads by the test itself
  const m = auth.match(/^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/);
  if (!m) return `malformed Authorization: ${auth}`;
  if (m[1] !== credentials.accessKeyId) return `unknown access key ${m[1]}`;
  if (m[3] !== region) return `scope region ${m[3]}`;
  const names = m[4].split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256', 'content-md5'])
    if (!names.includes(required)) return `${required} is not signed`;
  const payloadHash = createHash('sha256').update(body).digest('hex');
  if (req.headers['x-amz-content-sha256'] !== payloadHash) return 'x-amz-content-sha256 is not the body hash';
  const headers = {};
  for (const n of names) headers[n] = req.headers[n];
  const [hostname, port] = req.headers.host.split(':');
  const signer = new SignatureV4({ credentials, region, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign({ method: req.method, protocol: 'http:', hostname, port: Number(port), path: req.url.split('?')[0], query: {}, headers, body },
    { signingDate: amzDateToDate(req.headers['x-amz-date']) });
  if (signed.headers.authorization !== auth) return `signature mismatch: got ${auth}, expected ${signed.headers.authorization}`;
  return null;
}

// serviceEndpoint: s3rver takes Host <bucket>.s3.<serviceEndpoint> as a virtual-hosted request.
export async function startS3({ port, directory, buckets, credentials, region = 'us-east-1', serviceEndpoint = 'amazonaws.com' }) {
  const innerPort = await freePort();
  const inner = new S3rver({ address: '127.0.0.1', port: innerPort, silent: true, serviceEndpoint, directory, configureBuckets: buckets.map((name) => ({ name })) });
  await inner.run();
  const state = { violations: [], puts: [] };
  const front = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const problem = await signatureProblem(req, body, credentials, region);
      if (problem) {
        state.violations.push(problem);
        res.writeHead(403, { 'content-type': 'application/xml' });
        return res.end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
      }
      if (req.method === 'PUT') {
        const md5 = createHash('md5').update(body).digest('base64');
        if (req.headers['content-md5'] !== md5) {
          state.violations.push(`Content-MD5 ${req.headers['content-md5']} of a body whose MD5 is ${md5}`);
          res.writeHead(400, { 'content-type': 'application/xml' });
          return res.end('<Error><Code>BadDigest</Code></Error>');
        }
        state.puts.push({ url: req.url, headers: req.headers, body });
      }
      const forward = http.request({ host: '127.0.0.1', port: innerPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      forward.on('error', () => { res.writeHead(502); res.end(); });
      forward.end(body);
    });
  });
  await new Promise((resolve, reject) => { front.once('error', reject); front.listen(port, '127.0.0.1', resolve); });
  return {
    state,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      front.closeAllConnections();
      await new Promise((r) => front.close(r));
      inner.httpServer.closeAllConnections();
      await inner.close();
    },
  };
}
