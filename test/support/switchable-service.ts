import { createServer, type Server, type Socket } from 'node:net';

/** Epoch milliseconds from the monotonic clock, as the runner's own clock gives them. */
export const now = (): number => performance.timeOrigin + performance.now();

/**
 * A TCP service on 127.0.0.1 that the test breaks and restores itself, remembering the instants
 * (its own truth for an outage), plus a control port a fault command connects to.
 */
export class SwitchableService {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  private control: Server | undefined;
  port = 0;
  controlPort = 0;
  readonly downs: number[] = [];
  readonly ups: number[] = [];

  /** Starts the service and a control port; `onControl` runs (with the instant) when a fault connects to it. */
  async start(onControl: (at: number) => void): Promise<this> {
    await this.up(0);
    this.ups.length = 0;
    this.control = createServer((s) => {
      const at = now();
      s.end();
      onControl(at);
    });
    await new Promise<void>((r) => this.control!.listen(0, '127.0.0.1', r));
    this.controlPort = (this.control.address() as { port: number }).port;
    return this;
  }

  /** Stops accepting connections and drops the open ones: clients are refused from now on. */
  down(): number {
    const at = now();
    this.server?.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.server = undefined;
    this.downs.push(at);
    return at;
  }

  /** Listens again on the same port; returns the instant it accepts connections. */
  async up(port = this.port): Promise<number> {
    const server = createServer((s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    const at = now();
    this.ups.push(at);
    return at;
  }

  close(): void {
    this.down();
    this.control?.close();
  }
}

/** A command (argv) that connects to the control port, then stays alive `runOnMs` (0: exits at once). */
export function faultCommand(controlPort: number, runOnMs: number): string[] {
  const js = `const s=require('net').connect(${controlPort},'127.0.0.1');s.on('error',e=>{console.error(e.message);process.exit(1)});s.on('close',()=>setTimeout(()=>process.exit(0),${runOnMs}))`;
  return [process.execPath, '-e', js];
}
