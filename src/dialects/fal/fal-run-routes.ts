import type { Context, Hono } from 'hono';
import { GatewayError } from '../../domain/gateway-error.ts';
import { isTerminal, type Job } from '../../domain/job.ts';
import { terminalEventTypes, type JobEvent } from '../../domain/job-event.ts';
import type { EventBus } from '../../events/event-bus.ts';
import type { DialectServices } from '../dialect.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { limitBody } from '../shared/create-dialect-app.ts';
import { streamJobEvents, type SseMessage } from '../shared/stream-job-events.ts';
import { falPrefixes, parseFalRunPath } from './fal-apps.ts';
import type { FalJobs } from './fal-jobs.ts';
import { toFalError } from './to-fal-error.ts';
import { falJobError, toFalPartialOutput } from './to-fal-response.ts';

/** Progressive renders a `/stream` request asks the engine for. */
const streamPartialImages = 2;

const isOutputEvent = (event: JobEvent): boolean => event.type === 'job-partial-image' || terminalEventTypes.includes(event.type);

/**
 * Resolves with the job's first partial image or terminal event (replayed if it already happened), or
 * undefined once `timeoutMs` passes or the client goes away.
 */
function firstOutputEvent(events: EventBus, jobId: string, timeoutMs: number, signal: AbortSignal): Promise<JobEvent | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (event: JobEvent | undefined) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(event);
    };
    const onAbort = () => finish(undefined);
    const unsubscribe = events.subscribe({ jobId }, (event) => {
      if (isOutputEvent(event)) finish(event);
    });
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    // A failed replay only loses the head start: the stream itself replays from the store again.
    events.replay({ jobId }, 0, 1000).then(
      (replayed) => {
        const found = replayed.find(isOutputEvent);
        if (found) finish(found);
      },
      () => finish(undefined),
    );
  });
}

/** fal's sync host (`fal.run`): `POST {app}` answers the output; `POST {app}/stream` streams partial images, then it. */
export function mountFalRunRoutes(app: Hono<AppEnv>, services: DialectServices, falJobs: FalJobs): void {
  app.post(`${falPrefixes.run}/*`, limitBody(services.settings.maxBodyBytes), async (context) => {
    const parsed = parseFalRunPath(context.req.path.slice(falPrefixes.run.length));
    if (!parsed) throw new GatewayError('not_found', `No fal app at ${context.req.path}`);
    if (parsed.stream) return stream(context, await falJobs.submit(context, parsed.app, { operation: 'stream', partialImages: streamPartialImages }));
    const submitted = await falJobs.submit(context, parsed.app, { operation: 'run', partialImages: 0 });
    const job = await services.jobs.waitForTerminal(submitted.id, { timeoutMs: services.settings.syncTimeoutMs, signal: context.req.raw.signal });
    return respondWithOutput(context, job);
  });

  async function respondWithOutput(context: Context<AppEnv>, job: Job): Promise<Response> {
    if (!isTerminal(job.state)) {
      throw new GatewayError('timeout', `Request ${job.id} is still ${job.state}; its result will be at ${falJobs.requestUrls(job).response_url}`);
    }
    const error = falJobError(job);
    if (error) throw error;
    return context.json(await falJobs.output(job));
  }

  /**
   * Waits for the first render before committing to a 200 stream, so a request that fails at once gets
   * fal's real error status; later failures arrive as a final `error` event.
   */
  async function stream(context: Context<AppEnv>, job: Job): Promise<Response> {
    const principal = context.get('principal');
    const first = await firstOutputEvent(services.events, job.id, services.settings.syncTimeoutMs, context.req.raw.signal);
    if (first && first.type !== 'job-partial-image') return respondWithOutput(context, await services.jobs.get(job.id, principal));
    const data = (value: unknown): SseMessage => ({ data: JSON.stringify(value) });
    return streamJobEvents(context, {
      events: services.events,
      filter: { jobId: job.id },
      afterSequence: 0,
      keepAliveMs: services.settings.keepAliveMs,
      toMessages: async (event) => {
        if (event.type === 'job-partial-image') {
          return [data(toFalPartialOutput(event, await falJobs.blobUrl(job, String(event.data.blobKey))))];
        }
        if (!terminalEventTypes.includes(event.type)) return [];
        const finished = await services.jobs.get(job.id, principal);
        const error = falJobError(finished);
        if (!error) return [data(await falJobs.output(finished))];
        return [{ event: 'error', data: JSON.stringify(toFalError(error).body) }];
      },
      closeAfter: (event) => terminalEventTypes.includes(event.type),
    });
  }
}
