import type { Context } from 'hono';
import type { Principal } from '../../auth/authenticator.ts';
import { GatewayError } from '../../domain/gateway-error.ts';
import { isTerminal, type Job, type JobState } from '../../domain/job.ts';
import type { JobEvent } from '../../domain/job-event.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import type { Route } from '../../engines/engine-router.ts';
import type { Dialect, DialectServices } from '../dialect.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { authenticate, createDialectApp, limitBody, readJsonObject } from '../shared/create-dialect-app.ts';
import { lastEventId, streamJobEvents, type SseMessage } from '../shared/stream-job-events.ts';
import { parseWith } from '../shared/zod-error.ts';
import { localServingNotice } from '../shared/local-serving-notice.ts';
import { toOxenModel } from './oxen-models.ts';
import { oxenQueueListQuerySchema, oxenRequestSchema, type OxenEndpoint, type OxenRequestBody } from './oxen-wire-schemas.ts';
import { toOxenError } from './to-oxen-error.ts';
import { oxenToImageRequest } from './to-image-request.ts';
import {
  echoedParameters,
  fromOxenStatus,
  toOxenEventMessage,
  toOxenGeneration,
  toOxenImagesResponse,
  toOxenWebhookPayload,
} from './to-oxen-response.ts';

/**
 * Sent to curl after each completion: mawk (Debian's awk) only runs its rules once it has read a full 4 KB
 * buffer, so without padding the seed's `curl | awk` pipeline would sit on the event until more bytes
 * arrive. Other clients (EventSource, SDKs) parse as bytes arrive and are spared 8 KB per event.
 */
const flushPadding: SseMessage = { comment: ' '.repeat(8192) };
const needsFlushPadding = (context: Context) => /^curl\//i.test(context.req.header('user-agent') ?? '');

/** How long a new `/api/events` connection looks back for generations that finished just before it. */
const recentCompletionWindowMs = 5 * 60_000;

/** Oxen.ai's inference API: sync generate/edit, the async queue, SSE events and the model catalog. */
export const oxenDialect: Dialect = {
  dialectId: 'oxen',
  createRoutes(services: DialectServices) {
    const app = createDialectApp(toOxenError);
    const urlFor = (blobKey: string) => services.urls.sign(blobKey);
    const wireMessages = new WeakMap<JobEvent, { plain: SseMessage[]; padded: SseMessage[] }>();
    // The recorded cost (accounts/) joins the generation object as `cost_usd`.
    const toGeneration = (job: Job) => ({ ...toOxenGeneration(job, urlFor), ...services.accounts?.costFields(job) });
    const toModel = (route: Route) => toOxenModel(route, services.accounts?.modelPricing(route));
    app.use('/api/ai/*', authenticate(services));
    app.use('/api/events', authenticate(services));

    const parseBody = async (context: Context<AppEnv>, endpoint: OxenEndpoint): Promise<{ body: OxenRequestBody; raw: Record<string, unknown> }> => {
      const raw = await readJsonObject(context);
      if (typeof raw.model !== 'string' || raw.model.trim() === '') {
        throw GatewayError.invalid('model', 'required: a model id such as gpt-image-2 (see GET /api/ai/models)');
      }
      const route = services.router.resolve(raw.model);
      const body = parseWith(oxenRequestSchema(route.model, endpoint, services.settings.maxPromptLength), raw) as OxenRequestBody;
      if (endpoint === 'edit' && (body.input_image == null || (Array.isArray(body.input_image) && body.input_image.length === 0))) {
        throw GatewayError.invalid('input_image', 'at least one input image is required for edits');
      }
      const notice = localServingNotice(route);
      context.header('x-darkroom-engine', route.engine.engineId);
      if (notice) context.header('x-darkroom-notice', notice);
      return { body, raw };
    };

    const submit = async (context: Context<AppEnv>, endpoint: OxenEndpoint, copies: number): Promise<Job[]> => {
      const { body, raw } = await parseBody(context, endpoint);
      return services.jobs.submit(oxenToImageRequest(body, endpoint), {
        principal: context.get('principal'),
        origin: { dialect: 'oxen', operation: endpoint, extras: echoedParameters(raw), ...(body.webhook_url ? { webhookUrl: body.webhook_url } : {}) },
        copies: endpoint === 'queue' ? (body.num_generations ?? 1) : copies,
        signal: () => context.req.raw.signal,
      });
    };

    const syncRun = async (context: Context<AppEnv>, endpoint: 'generate' | 'edit') => {
      const raw = context.req.raw;
      const [submitted] = await submit(context, endpoint, 1);
      if (!submitted) throw new GatewayError('internal', 'No job was created');
      // Set before waiting: a failed or timed-out run still names its job (idempotent replays rely on it).
      context.header('x-darkroom-job-id', submitted.id);
      const job = await services.jobs.waitForTerminal(submitted.id, { timeoutMs: services.settings.syncTimeoutMs, signal: raw.signal });
      return respondWithImages(context, job, services);
    };

    app.post('/api/ai/images/generate', limitBody(services.settings.maxBodyBytes), (context) => syncRun(context, 'generate'));
    app.post('/api/ai/images/edit', limitBody(services.settings.maxBodyBytes), (context) => syncRun(context, 'edit'));

    app.post('/api/ai/queue', limitBody(services.settings.maxBodyBytes), async (context) => {
      const jobs = await submit(context, 'queue', 1);
      return context.json({ generations: jobs.map((job) => ({ generation_id: job.id, status: 'queued' })) });
    });

    app.get('/api/ai/queue', async (context) => {
      const query = parseWith(oxenQueueListQuerySchema, context.req.query());
      const states: JobState[] | undefined =
        query.status === 'all' ? undefined : query.status ? [fromOxenStatus(query.status)] : ['queued', 'running'];
      const jobs = await services.jobs.list(context.get('principal'), {
        limit: query.limit,
        ...(states ? { states } : {}),
        ...(query.model ? { model: query.model } : {}),
        ...(query.before ? { beforeJobId: query.before } : {}),
      });
      const generations = query.media_type === 'video' ? [] : jobs.map(toGeneration);
      return context.json({ count: generations.length, generations });
    });

    app.get('/api/ai/queue/:id', async (context) => {
      const job = await services.jobs.get(context.req.param('id'), context.get('principal'));
      return context.json(toGeneration(job));
    });

    app.delete('/api/ai/queue/:id', async (context) => {
      const job = await services.jobs.cancel(context.req.param('id'), context.get('principal'));
      return context.json({ status: 'success', generation_id: job.id, generation_status: toOxenGeneration(job, urlFor).status });
    });

    app.get('/api/events', (context) => {
      const principal = context.get('principal');
      const padded = needsFlushPadding(context);
      return streamJobEvents(context, {
        events: services.events,
        filter: ownerFilter(principal),
        afterSequence: lastEventId(context),
        keepAliveMs: services.settings.keepAliveMs,
        initialMessages: async () => {
          // A client that enqueues and then connects (as Oxen's own examples do) must not miss a fast job.
          if (lastEventId(context) !== undefined) return [];
          const since = services.now().getTime() - recentCompletionWindowMs;
          const recent = await services.jobs.list(principal, { states: ['succeeded', 'failed'], limit: 50 });
          return recent
            .filter((job) => (job.completedAt?.getTime() ?? 0) >= since)
            .reverse()
            .map((job) => toOxenEventMessage(recentEvent(job), urlFor))
            .filter((message) => message !== undefined)
            .flatMap((message) => [{ event: message.event, data: JSON.stringify(message.data) }, ...(padded ? [flushPadding] : [])]);
        },
        toMessages: (event) => {
          // The bus hands every subscriber the same event object: translate, sign and serialise it once.
          let messages = wireMessages.get(event);
          if (!messages) {
            const message = toOxenEventMessage(event, urlFor);
            const plain: SseMessage[] = message ? [{ event: message.event, data: JSON.stringify(message.data), id: String(event.sequence) }] : [];
            messages = { plain, padded: message?.event === 'media_generation_completed' ? [...plain, flushPadding] : plain };
            wireMessages.set(event, messages);
          }
          return padded ? messages.padded : messages.plain;
        },
      });
    });

    app.get('/api/ai/models', (context) => {
      const developer = context.req.query('developer_name')?.toLowerCase();
      const models = services.router
        .list()
        .map(toModel)
        .filter((model) => !developer || (model.developer as { name: string }).name.toLowerCase() === developer);
      return context.json({ object: 'list', data: models });
    });

    app.get('/api/ai/models/:id', (context) => context.json(toModel(services.router.resolve(context.req.param('id')))));

    return app;
  },
  toWebhookPayload: (job, urls) => toOxenWebhookPayload(job, (blobKey) => urls.sign(blobKey)),
};

const ownerFilter = (principal: Principal) => (principal.admin ? {} : { ownerKeyId: principal.keyId ?? null });

/** A terminal job as the event that announced it, for the recent-completions replay. */
function recentEvent(job: Job): JobEvent {
  const data: JsonObject =
    job.state === 'succeeded'
      ? { images: (job.result?.images ?? []).map((image) => ({ blobKey: image.blobKey })) }
      : { error: { message: job.error?.message ?? 'Generation failed' } };
  return {
    sequence: 0,
    type: job.state === 'succeeded' ? 'job-succeeded' : 'job-failed',
    jobId: job.id,
    ownerKeyId: job.ownerKeyId,
    model: job.model,
    at: job.completedAt ?? job.createdAt,
    data,
  };
}

async function respondWithImages(context: Context<AppEnv>, job: Job, services: DialectServices): Promise<Response> {
  if (job.state === 'failed') {
    const error = job.error;
    throw new GatewayError(error?.code ?? 'internal', error?.message ?? 'Generation failed', error?.field ? { field: error.field } : {});
  }
  if (job.state === 'cancelled') throw new GatewayError('cancelled', `Generation ${job.id} was cancelled`, { status: 409 });
  if (!isTerminal(job.state)) {
    throw new GatewayError('timeout', `Generation ${job.id} is still ${job.state}; poll GET /api/ai/queue/${job.id} for its result`, {
      details: { generation_id: job.id },
    });
  }
  const format = job.origin.extras.response_format === 'b64_json' ? 'b64_json' : 'url';
  const images = await Promise.all(
    (job.result?.images ?? []).map(async (image) => {
      if (format === 'url') return { url: services.urls.sign(image.blobKey) };
      const blob = await services.blobs.get(image.blobKey);
      return { b64_json: Buffer.from(blob?.data ?? new Uint8Array()).toString('base64') };
    }),
  );
  if (job.result && job.result.warnings.length > 0) {
    context.header('x-darkroom-warnings', job.result.warnings.map((warning) => warning.message).join('; ').slice(0, 1000));
  }
  return context.json(toOxenImagesResponse(job, images));
}
