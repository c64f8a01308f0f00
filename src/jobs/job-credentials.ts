import { inspect } from 'node:util';

/**
 * Per-request secrets (BYOK upstream keys) of queued and running jobs. Memory only, on purpose: a key a
 * client lent for one request must never reach the job store, a log or a backup, so a restart forgets it.
 * Entries are removed when their job ends.
 */
export class JobCredentials {
  private readonly byJobId = new Map<string, Record<string, string>>();

  set(jobId: string, credentials: Record<string, string>): void {
    if (Object.keys(credentials).length > 0) this.byJobId.set(jobId, { ...credentials });
  }

  /** The job's credentials; empty when it has none (or the process restarted since it was submitted). */
  get(jobId: string): Record<string, string> {
    const credentials = this.byJobId.get(jobId);
    return credentials ? { ...credentials } : {};
  }

  delete(jobId: string): void {
    this.byJobId.delete(jobId);
  }

  get size(): number {
    return this.byJobId.size;
  }

  /** Keeps the secrets out of `console.log` / `util.inspect` output should anyone log this object. */
  [inspect.custom](): string {
    return `JobCredentials { ${this.byJobId.size} job(s) }`;
  }

  toJSON(): { jobs: number } {
    return { jobs: this.byJobId.size };
  }
}
