import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP server on 127.0.0.1:`port` that accepts connections and never answers: a manager
 * that is there but does not answer (every request waits for its own timeout).
 */
export class BlackHole {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((socket) => {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  });
  /** Connections accepted so far. */
  accepted = 0;

  constructor(private readonly port: number) {
    this.server.on('connection', () => this.accepted++);
  }

  start(): Promise<this> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve(this));
    });
  }

  /** Drops every connection and frees the port. Idempotent. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
