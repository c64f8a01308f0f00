import type { Context, Hono } from 'hono';
import { GatewayError } from '../../domain/gateway-error.ts';
import { isTerminal, type Job } from '../../domain/job.ts';
import { terminalEventTypes, type JobEvent } from '../../domain/job-event.ts';
import type { DialectServices } from '../dialect.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { limitBody } from '../shared/create-dialect-app.ts';
import { encodeSseMessage, openSseResponse } from '../shared/sse-sink.ts';
import { streamJobEvents } from '../shared/stream-job-events.ts';
import { falPrefixes, parseFalQueuePath, type FalQueuePath } from './fal-apps.ts';
import { wantsLogs, type FalJobs } from './fal-jobs.ts';
import { parseFalWebhookUrl } from './fal-wire-schemas.ts';
import { falJobError, toFalLog, toFalQueueStatus, warningLogs } from './to-fal-response.ts';

function parsePath(context: Context<AppEnv>): FalQueuePath {
  const parsed = parseFalQueuePath(context.req.path.slice(falPrefixes.queue.length));
  if (!parsed) throw new GatewayError('not_found', `No fal app or request at ${context.req.path}`);
  return parsed;
}

/** fal's queue API (`queue.fal.run`): submit, status (polled or streamed), result and cancel. */
export function mountFalQueueRoutes(app: Hono<AppEnv>, services: DialectServices, falJobs: FalJobs): void {
  const routes = `${falPrefixes.queue}/*`;

  app.post(routes, limitBody(services.settings.maxBodyBytes), async (context) => {
    const parsed = parsePath(context);
    if (parsed.kind !== 'submit') throw new GatewayError('not_found', `No fal app at ${context.req.path}`);
    const webhookUrl = parseFalWebhookUrl(context.req.query('fal_webhook'));
    const job = await falJobs.submit(context, parsed.app, { operation: 'queue', partialImages: 0, ...(webhookUrl ? { webhookUrl } : {}) });
    return context.json({
      status: 'IN_QUEUE',
      request_id: job.id,
      ...falJobs.requestUrls(job),
      queue_position: await falJobs.queuePosition(job, context.get('principal')),
      gateway_request_id: job.id,
    });
  });

  app.get(routes, async (context) => {
    const parsed = parsePath(context);
    const principal = context.get('principal');
    if (parsed.kind === 'status-stream') return streamStatus(context, parsed.requestId);
    if (parsed.kind === 'submit' || parsed.kind === 'cancel') throw new GatewayError('not_found', `No GET route at ${context.req.path}`);
    const job = await services.jobs.get(parsed.requestId, principal);
    context.header('x-fal-request-id', job.id);
    if (parsed.kind === 'status') {
      const status = await falJobs.status(job, principal, wantsLogs(context.req.query('logs')));
      return context.json(status, isTerminal(job.state) ? 200 : 202);
    }
    if (!isTerminal(job.state)) throw new GatewayError('conflict', 'Request is still in progress', { status: 400 });
    const error = falJobError(job);
    if (error) throw error;
    return context.json(await falJobs.output(job));
  });

  app.put(routes, async (context) => {
    const parsed = parsePath(context);
    if (parsed.kind !== 'cancel') throw new GatewayError('not_found', `No PUT route at ${context.req.path}`);
    const principal = context.get('principal');
    let job: Job;
    try {
      job = await services.jobs.get(parsed.requestId, principal);
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'not_found') return context.json({ status: 'NOT_FOUND' }, 404);
      throw error;
    }
    if (isTerminal(job.state)) return context.json({ status: 'ALREADY_COMPLETED' }, 400);
    const cancelled = await services.jobs.cancel(job.id, principal);
    if (cancelled.state !== 'cancelled') return context.json({ status: 'ALREADY_COMPLETED' }, 400);
    return context.json({ status: 'CANCELLATION_REQUESTED' }, 202);
  });

  /**
   * SSE of status objects, closed after COMPLETED. The bus position is read before the job, and events after
   * it are replayed, so a job finishing in between still ends the stream.
   */
  async function streamStatus(context: Context<AppEnv>, requestId: string): Promise<Response> {
    const principal = context.get('principal');
    const withLogs = wantsLogs(context.req.query('logs'));
    const afterSequence = await services.events.lastSequence();
    const job = await services.jobs.get(requestId, principal);
    const initial = await falJobs.status(job, principal, withLogs);
    if (isTerminal(job.state)) {
      return openSseResponse(
        context,
        (sink) => {
          sink.write(encodeSseMessage({ data: JSON.stringify(initial) }));
          sink.close();
        },
        () => undefined,
      );
    }
    const isFinal = (event: JobEvent) => terminalEventTypes.includes(event.type);
    return streamJobEvents(context, {
      events: services.events,
      filter: { jobId: job.id },
      afterSequence,
      keepAliveMs: services.settings.keepAliveMs,
      initialMessages: () => Promise.resolve([{ data: JSON.stringify(initial) }]),
      toMessages: async (event) => {
        // Streamed logs are the new lines only: fal-js accumulates them itself.
        const line = withLogs ? toFalLog(event) : undefined;
        if (!isFinal(event)) {
          const state = event.type === 'job-queued' ? 'queued' : 'running';
          const status = toFalQueueStatus({ ...job, state }, { urls: falJobs.requestUrls(job), logs: line ? [line] : [], queuePosition: 0 });
          return [{ data: JSON.stringify(status) }];
        }
        const finished = await services.jobs.get(job.id, principal);
        const logs = withLogs ? [...(line ? [line] : []), ...warningLogs(finished)] : [];
        return [{ data: JSON.stringify(toFalQueueStatus(finished, { urls: falJobs.requestUrls(finished), logs, queuePosition: 0 })) }];
      },
      closeAfter: isFinal,
    });
  }
}
