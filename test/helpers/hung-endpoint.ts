/**
 * TCP servers on 127.0.0.1 that take connections and then fail the client the
 * ways a sick endpoint does: never answer, answer headers and stall the body, or
 * reset the connection. AWS clients pointed at them must give up, not hang.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type HungMode = 'silent' | 'stalled-body' | 'reset';

export interface HungEndpoint {
  endpoint: string;
  /** Connections taken so far (each attempt the SDK makes opens or reuses one). */
  connections: () => number;
  close(): Promise<void>;
}

const STALLED_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 4096\r\n\r\n{"Item":';

export async function startHungEndpoint(mode: HungMode): Promise<HungEndpoint> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (mode === 'stalled-body') socket.write(STALLED_HEAD);
      if (mode === 'reset') socket.resetAndDestroy();
      // 'silent': read and never answer.
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
