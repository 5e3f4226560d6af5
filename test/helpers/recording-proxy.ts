/**
 * A pass-through HTTP proxy in front of an emulator that notes who each request says it
 * is (the SigV4 credential scope: key id, region, service) and what it asks (the JSON
 * protocol's X-Amz-Target). What reaches the emulator some other way is not seen here.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  /** `AKID/20261202/eu-west-2/sqs/aws4_request`, or undefined when unsigned. */
  credentialScope: string | undefined;
  target: string | undefined;
}

export interface RecordingProxy {
  endpoint: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function credentialScope(req: IncomingMessage): string | undefined {
  return /Credential=([^,]+)/.exec(req.headers.authorization ?? '')?.[1];
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ credentialScope: credentialScope(req), target: req.headers['x-amz-target'] as string | undefined });
    const forward = request(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
