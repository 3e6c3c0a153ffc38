import { connect, describeConfig, destroyClient, type PgClient, type PgConfig } from '../../util/pg-client.js';

/** A few reusable connections to one PostgreSQL endpoint, for probes that check it repeatedly. */
export class EndpointPool {
  private idle: PgClient[] = [];
  /** Checks currently using this endpoint (a high count means it hangs). */
  pending = 0;
  /**
   * @param configOf asked on every new connection: a lab service's published port can change
   *   (a container reconnected to its network), and the probe must follow it.
   */
  constructor(
    readonly name: string,
    private readonly configOf: () => PgConfig,
    private readonly maxIdle = 4,
  ) {}

  get label(): string {
    return describeConfig(this.configOf());
  }

  async acquire(signal: AbortSignal): Promise<PgClient> {
    return this.idle.pop() ?? connect(this.configOf(), signal);
  }

  /** Returns a client; one that failed below the SQL level (socket, timeout) is destroyed. */
  release(client: PgClient, reusable: boolean): void {
    if (reusable && this.idle.length < this.maxIdle) this.idle.push(client);
    else destroyClient(client);
  }

  close(): void {
    for (const c of this.idle.splice(0)) destroyClient(c);
  }
}
