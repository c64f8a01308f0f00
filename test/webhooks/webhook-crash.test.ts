import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/sqlite/open-database.ts';
import { WebhookReceiver } from './webhook-receiver.ts';
import { killNow, startCrashServer } from '../helpers/crash-server-process.ts';

const startServer = (dataDirectory: string, port: number) =>
  startCrashServer(dataDirectory, port, {
    DARKROOM_FETCH_ALLOWLIST: '127.0.0.1',
    // Compressed schedule: twelve attempts within ~8 s; a hung receiver is given up on after 0.5 s.
    DARKROOM_WEBHOOK_RETRY_SCHEDULE: '0,0.3,0.3,0.5,0.5,1,1,1,1,1,1,1',
    DARKROOM_WEBHOOK_TIMEOUT: '0.5',
    FAKE_ENGINE_DELAY_MS: '100',
  });
const kill = killNow;

describe('webhooks across kill -9', () => {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'darkroom-webhook-crash-'));
  const receiver = new WebhookReceiver();
  afterAll(async () => {
    await receiver.stop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('delivers a verified webhook for every acknowledged job although the server is killed while deliveries are pending', async () => {
    const receiverUrl = await receiver.start();
    // Every first attempt fails and some second ones hang, so kills land while deliveries wait for retries.
    receiver.behaviour = ({ id, attempt }) => {
      if (attempt === 1) return { status: 500 };
      if (attempt === 2 && id.charCodeAt(id.length - 1) % 2 === 0) return 'hang';
      return { status: 200 };
    };
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const base = `http://127.0.0.1:${port}`;
    const acknowledged: string[] = [];
    const killedAt: number[] = [];
    let server = await startServer(dataDirectory, port);
    // No DARKROOM_WEBHOOK_SECRET: the server generated one into its data directory; restarts must reuse it.
    receiver.secret = readFileSync(join(dataDirectory, 'webhook-secret'), 'utf8').trim();

    for (let round = 0; round < 3; round += 1) {
      let submitting = true;
      const submitter = (async () => {
        while (submitting) {
          try {
            const response = await fetch(`${base}/api/ai/queue`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ model: 'gpt-image-2', prompt: `round ${round}`, resolution: '1024x768', webhook_url: `${receiverUrl}/hook` }),
            });
            if (response.status === 200) {
              const body = (await response.json()) as { generations: Array<{ generation_id: string }> };
              acknowledged.push(body.generations[0]!.generation_id);
            }
          } catch {
            // Refused or reset while the server is down: never acknowledged.
          }
          // Paced so each round queues a few dozen jobs, not thousands, and the test drains quickly.
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 500));
      await kill(server);
      killedAt.push(Date.now());
      submitting = false;
      await submitter;
      server = await startServer(dataDirectory, port);
    }

    const jobIdOf = (payload: unknown) => (payload as { data?: { generation_id?: string } } | undefined)?.data?.generation_id;
    const deliveredJobs = () => new Set(receiver.received.filter((entry) => entry.verified).map((entry) => jobIdOf(entry.payload)));
    const database = openDatabase(join(dataDirectory, 'darkroom.db'));
    const deliveryStates = () =>
      new Map(database.prepare<[], { job_id: string; state: string }>('SELECT job_id, state FROM webhook_deliveries').all().map((row) => [row.job_id, row.state]));
    try {
      await receiver.waitFor(() => {
        const delivered = deliveredJobs();
        return acknowledged.every((jobId) => delivered.has(jobId));
      }, 30_000);
      // The receiver may have answered the last ones a moment before the server recorded it.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !acknowledged.every((jobId) => deliveryStates().get(jobId) === 'delivered')) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await kill(server);
    }

    expect(acknowledged.length).toBeGreaterThan(3);
    // 100 % of requests carry a signature the official verifier accepts.
    expect(receiver.received.filter((entry) => !entry.verified).map((entry) => entry.verifyError)).toEqual([]);
    // One webhook-id per job, the same on every attempt and across restarts.
    const idsByJob = new Map<string, Set<string>>();
    for (const entry of receiver.received) {
      const jobId = jobIdOf(entry.payload) ?? '';
      idsByJob.set(jobId, (idsByJob.get(jobId) ?? new Set()).add(entry.id));
    }
    for (const jobId of acknowledged) expect(idsByJob.get(jobId)?.size).toBe(1);
    // Some deliveries were pending at a kill: attempted before it and again by a later process.
    const straddling = [...new Set(receiver.received.map((entry) => entry.id))].filter((id) => {
      const times = receiver.attemptsFor(id).map((entry) => entry.receivedAt);
      return killedAt.some((killTime) => times.some((time) => time < killTime) && times.some((time) => time > killTime));
    });
    expect(straddling.length).toBeGreaterThan(0);

    const stateByJob = deliveryStates();
    database.close();
    for (const jobId of acknowledged) expect(stateByJob.get(jobId)).toBe('delivered');
  }, 90_000);
});
