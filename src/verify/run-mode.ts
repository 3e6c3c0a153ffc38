/** drill: fault, failover, failback; failover: a real incident, failover only. */
export type RunMode = 'drill' | 'failover';
