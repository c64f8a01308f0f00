import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type ReceivedWebhook = {
  id: string;
  /** Which attempt of this webhook-id this request was (1-based), as the receiver counted it. */
  attempt: number;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The parsed payload when `Webhook(secret).verify()` accepted the request, else undefined. */
  payload: unknown;
  verified: boolean;
  verifyError: string | undefined;
  receivedAt: number;
};

/** What the receiver does with one request: answer with a status (and headers), or never answer. */
export type ReceiverAnswer = { status: number; headers?: Record<string, string> } | 'hang';
export type ReceiverBehaviour = (request: { id: string; attempt: number; path: string }) => ReceiverAnswer;

/** A loopback webhook endpoint that verifies every request with the official standardwebhooks library. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  behaviour: ReceiverBehaviour = () => ({ status: 200 });
  private readonly server: Server;
  private verifier: Webhook | undefined;
  private waiters: Array<() => void> = [];

  constructor(secret?: string) {
    if (secret) this.verifier = new Webhook(secret);
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  set secret(secret: string) {
    this.verifier = new Webhook(secret);
  }

  async start(host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests received for one webhook-id, in arrival order. */
  attemptsFor(id: string): ReceivedWebhook[] {
    return this.received.filter((entry) => entry.id === id);
  }

  /** Resolves once `condition` holds (checked after every request), or rejects after `timeoutMs`. */
  async waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`webhook receiver: condition not met within ${timeoutMs} ms (${this.received.length} requests so far)`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
    const id = headers['webhook-id'] ?? '';
    let payload: unknown;
    let verifyError: string | undefined;
    try {
      if (!this.verifier) throw new Error('the receiver has no secret');
      payload = this.verifier.verify(body, headers);
    } catch (error) {
      verifyError = (error as Error).message;
    }
    const attempt = this.attemptsFor(id).length + 1;
    const path = request.url ?? '/';
    this.received.push({ id, attempt, path, headers, body, payload, verified: verifyError === undefined, verifyError, receivedAt: Date.now() });
    for (const waiter of this.waiters.splice(0)) waiter();
    const answer = this.behaviour({ id, attempt, path });
    if (answer === 'hang') return;
    response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
    response.end(answer.status >= 200 && answer.status < 300 ? 'ok' : `status ${answer.status}`);
  }
}
