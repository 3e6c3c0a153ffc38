import pg from 'pg';
import { connect, destroyClient, describeConfig } from './connect.js';

/** A few reusable connections to one PostgreSQL endpoint, for probes that check it repeatedly. */
export class EndpointPool {
  private idle: pg.Client[] = [];
  /** Checks currently using this endpoint (a high count means it hangs). */
  pending = 0;
  constructor(
    readonly name: string,
    readonly config: pg.ClientConfig,
    private readonly maxIdle = 4,
  ) {}

  get label(): string {
    return describeConfig(this.config);
  }

  async acquire(signal: AbortSignal): Promise<pg.Client> {
    return this.idle.pop() ?? connect(this.config, signal);
  }

  /** Returns a client; one that failed below the SQL level (socket, timeout) is destroyed. */
  release(client: pg.Client, reusable: boolean): void {
    if (reusable && this.idle.length < this.maxIdle) this.idle.push(client);
    else destroyClient(client);
  }

  close(): void {
    for (const c of this.idle.splice(0)) destroyClient(c);
  }
}

/** Whether an error came from the server (the connection itself is still fine). */
export function isServerError(err: unknown): boolean {
  return err instanceof pg.DatabaseError;
}
