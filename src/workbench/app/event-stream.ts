import { GatewayError } from '../../domain/gateway-error.ts';
import type { GenerationEvent } from './api-types.ts';
import type { DarkroomClient } from './darkroom-client.ts';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

/**
 * The Workbench's one connection to `GET /api/events`, over fetch so it can send the API key (EventSource
 * cannot set headers). Reconnects with backoff and resumes with Last-Event-ID so no event is lost.
 */
export class EventStream {
  private controller: AbortController | undefined;
  private lastEventId: string | undefined;
  private waiters: Array<() => void> = [];
  state: StreamState = 'stopped';

  constructor(
    private readonly client: DarkroomClient,
    private readonly onEvent: (event: GenerationEvent) => void,
    private readonly onState: (state: StreamState) => void,
  ) {}

  start(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    void this.loop(controller.signal);
  }

  stop(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.setState('stopped');
  }

  /** Resolves once the stream is live (or after `timeoutMs`), so a submit right after cannot miss its events. */
  ready(timeoutMs = 2000): Promise<void> {
    if (this.state === 'live') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let delayMs = 500;
    while (!signal.aborted) {
      this.setState(this.state === 'stopped' ? 'connecting' : 'reconnecting');
      try {
        const { ended } = await this.client.streamEvents(
          (event) => {
            if (event.id) this.lastEventId = event.id;
            this.onEvent(event);
          },
          { signal, ...(this.lastEventId ? { lastEventId: this.lastEventId } : {}) },
        );
        this.setState('live');
        delayMs = 500;
        await ended;
      } catch (error) {
        // Without a valid key, retrying would only ask again and again; a new key restarts the stream.
        if (error instanceof GatewayError && error.code === 'unauthorized') {
          this.controller = undefined;
          this.setState('stopped');
          return;
        }
        // Otherwise reconnect below; the run panel polls meanwhile, so nothing is lost for good.
      }
      if (signal.aborted) return;
      this.setState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 10_000);
    }
  }

  private setState(state: StreamState): void {
    if (this.state === state) return;
    this.state = state;
    this.onState(state);
    if (state === 'live') for (const waiter of this.waiters.splice(0)) waiter();
  }
}
