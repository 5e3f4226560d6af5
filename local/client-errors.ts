/**
 * Requests Node's HTTP parser refuses before the app sees them (headers over its
 * 16 KiB limit, a malformed request line) still get the API's one error shape, as
 * API Gateway and function URLs answer JSON for theirs.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const STATUS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'the request line and headers are larger than 16 KiB'],
};

export function answerClientErrorsAsJson(server: Pick<Server, 'on'>): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const [status, reason, message] = STATUS[error.code ?? ''] ?? [400, 'Bad Request', 'the request is not valid HTTP'];
    const body = JSON.stringify({ error: { code: status === 431 ? 'headers_too_large' : 'bad_request', message, details: [] } });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
