import type { AttemptOutcome, DeliveryClaim, NewWebhookDelivery, WebhookDelivery, WebhookOutbox } from './webhook-outbox.ts';

type Entry = { delivery: WebhookDelivery; dispatcherId: string | undefined; leaseUntil: Date | undefined };

const copy = (delivery: WebhookDelivery): WebhookDelivery => ({ ...delivery });

/** In-process outbox for `DARKROOM_STORE=memory` and tests; same semantics as the SQLite one. */
export class MemoryWebhookOutbox implements WebhookOutbox {
  private readonly entries = new Map<string, Entry>();
  private readonly idsByJob = new Map<string, string>();

  async record(newDelivery: NewWebhookDelivery): Promise<WebhookDelivery> {
    const existingId = this.idsByJob.get(newDelivery.jobId);
    const existing = existingId === undefined ? undefined : this.entries.get(existingId);
    if (existing) return copy(existing.delivery);
    const delivery: WebhookDelivery = {
      ...newDelivery,
      attempts: 0,
      state: 'pending',
      lastAttemptAt: undefined,
      lastStatus: undefined,
      lastError: undefined,
    };
    this.entries.set(delivery.id, { delivery, dispatcherId: undefined, leaseUntil: undefined });
    this.idsByJob.set(delivery.jobId, delivery.id);
    return copy(delivery);
  }

  async claimDue(claim: DeliveryClaim): Promise<WebhookDelivery[]> {
    const due = [...this.entries.values()]
      .filter((entry) => entry.delivery.state === 'pending' && entry.delivery.nextAttemptAt <= claim.now)
      .filter((entry) => entry.leaseUntil === undefined || entry.leaseUntil <= claim.now)
      .sort((first, second) => first.delivery.nextAttemptAt.getTime() - second.delivery.nextAttemptAt.getTime())
      .slice(0, claim.limit);
    return due.map((entry) => {
      entry.dispatcherId = claim.dispatcherId;
      entry.leaseUntil = claim.leaseUntil;
      entry.delivery.attempts += 1;
      entry.delivery.lastAttemptAt = claim.now;
      return copy(entry.delivery);
    });
  }

  async recordAttempt(deliveryId: string, dispatcherId: string, outcome: AttemptOutcome): Promise<boolean> {
    const entry = this.entries.get(deliveryId);
    if (!entry || entry.dispatcherId !== dispatcherId || entry.delivery.state !== 'pending') return false;
    const { delivery } = entry;
    delivery.state = outcome.state;
    if (outcome.state === 'pending') delivery.nextAttemptAt = outcome.nextAttemptAt;
    delivery.lastStatus = outcome.status;
    delivery.lastError = 'error' in outcome ? outcome.error : undefined;
    entry.dispatcherId = undefined;
    entry.leaseUntil = undefined;
    return true;
  }

  async findByJobId(jobId: string): Promise<WebhookDelivery | undefined> {
    const id = this.idsByJob.get(jobId);
    const entry = id === undefined ? undefined : this.entries.get(id);
    return entry ? copy(entry.delivery) : undefined;
  }

  async nextDueAt(): Promise<Date | undefined> {
    let earliest: number | undefined;
    for (const entry of this.entries.values()) {
      if (entry.delivery.state !== 'pending') continue;
      const at = Math.max(entry.delivery.nextAttemptAt.getTime(), entry.leaseUntil?.getTime() ?? 0);
      earliest = earliest === undefined ? at : Math.min(earliest, at);
    }
    return earliest === undefined ? undefined : new Date(earliest);
  }

  async releaseLeases(): Promise<number> {
    let released = 0;
    for (const entry of this.entries.values()) {
      if (entry.delivery.state !== 'pending' || entry.leaseUntil === undefined) continue;
      entry.dispatcherId = undefined;
      entry.leaseUntil = undefined;
      released += 1;
    }
    return released;
  }

  async close(): Promise<void> {}
}
