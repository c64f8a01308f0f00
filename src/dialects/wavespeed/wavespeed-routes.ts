import type { Context } from 'hono';
import { GatewayError } from '../../domain/gateway-error.ts';
import { isTerminal, type Job } from '../../domain/job.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import type { Dialect, DialectServices } from '../dialect.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { authenticate, createDialectApp, limitBody, readJsonObject } from '../shared/create-dialect-app.ts';
import { localServingNotice } from '../shared/local-serving-notice.ts';
import { parseWith } from '../shared/zod-error.ts';
import { snapToInputAspectRatio, waveSpeedToImageRequest } from './to-image-request.ts';
import { toWaveSpeedError } from './to-wavespeed-error.ts';
import { echoedInput, resultUrlOf, toWaveSpeedEnvelope, toWaveSpeedPrediction, toWaveSpeedWebhookPayload } from './to-wavespeed-prediction.ts';
import { addWaveSpeedUploadRoutes } from './wavespeed-uploads.ts';
import { waveSpeedModels, waveSpeedRequestSchema, webhookQuerySchema, type WaveSpeedEndpoint } from './wavespeed-wire-schemas.ts';

/** Darkroom caps one request at 16 input images, as gpt-image-2 does. */
const maxInputImages = 16;

/** WaveSpeed API v3 for gpt-image-2: submit, predictions (`/result`), media uploads; unchanged `wavespeed` SDKs work. */
export const waveSpeedDialect: Dialect = {
  dialectId: 'wavespeed',
  createRoutes(services: DialectServices) {
    const app = createDialectApp(toWaveSpeedError);
    const resultUrl = (job: Job) => resultUrlOf(job, (path) => services.urls.absolute(path));

    /** Output URLs, or the image bytes as naked base64 (`enable_base64_output`, as WaveSpeed sends them). */
    const outputsOf = async (job: Job): Promise<string[]> => {
      const images = job.state === 'succeeded' ? (job.result?.images ?? []) : [];
      if (job.origin.extras.enable_base64_output !== true) return images.map((image) => services.urls.sign(image.blobKey));
      return Promise.all(
        images.map(async (image) => Buffer.from((await services.blobs.get(image.blobKey))?.data ?? new Uint8Array()).toString('base64')),
      );
    };
    const envelopeOf = async (job: Job): Promise<JsonObject> => toWaveSpeedEnvelope(toWaveSpeedPrediction(job, await outputsOf(job), resultUrl(job)));

    const submit = async (context: Context<AppEnv>, endpoint: WaveSpeedEndpoint) => {
      const raw = await readJsonObject(context);
      const body = parseWith(waveSpeedRequestSchema(endpoint, services.settings.maxPromptLength, maxInputImages), raw);
      const webhookUrl = body.webhook_url ?? parseWith(webhookQuerySchema, context.req.query('webhook'), ['webhook']);
      if (webhookUrl !== undefined && body.enable_base64_output) {
        throw GatewayError.invalid('enable_base64_output', 'webhook callbacks do not support base64 output; poll GET /api/v3/predictions/{id}/result instead');
      }
      const { modelPath, model } = waveSpeedModels[endpoint];
      const route = services.router.resolve(model);
      const notice = localServingNotice(route);
      context.header('x-darkroom-engine', route.engine.engineId);
      if (notice) context.header('x-darkroom-notice', notice);

      const [job] = await services.jobs.submit(waveSpeedToImageRequest(body, endpoint), {
        principal: context.get('principal'),
        origin: {
          dialect: 'wavespeed',
          operation: modelPath,
          extras: { input: echoedInput(raw), enable_base64_output: body.enable_base64_output },
          ...(webhookUrl !== undefined ? { webhookUrl } : {}),
        },
        adjustRequest: snapToInputAspectRatio(body.resolution),
        signal: () => context.req.raw.signal,
      });
      if (!job) throw new GatewayError('internal', 'No job was created');
      if (!body.enable_sync_mode) return context.json(await envelopeOf(job));

      const settled = await services.jobs.waitForTerminal(job.id, { timeoutMs: services.settings.syncTimeoutMs, signal: context.req.raw.signal });
      if (isTerminal(settled.state)) return context.json(await envelopeOf(settled));
      // The SDK recognises this as a sync timeout and points the caller at the result URL.
      const pending = toWaveSpeedPrediction(settled, [], resultUrl(settled));
      const seconds = Math.round(services.settings.syncTimeoutMs / 1000);
      return context.json(toWaveSpeedEnvelope({ ...pending, status: 'processing', error: `Sync mode timed out after ${seconds} s; the task is still processing` }));
    };

    for (const endpoint of Object.keys(waveSpeedModels) as WaveSpeedEndpoint[]) {
      app.post(`/api/v3/${waveSpeedModels[endpoint].modelPath}`, authenticate(services), limitBody(services.settings.maxBodyBytes), (context) =>
        submit(context, endpoint),
      );
    }

    const getPrediction = async (context: Context<AppEnv>) => {
      const job = await services.jobs.get(context.req.param('id') ?? '', context.get('principal'));
      return context.json(await envelopeOf(job));
    };
    app.get('/api/v3/predictions/:id/result', authenticate(services), getPrediction);
    app.get('/api/v3/predictions/:id', authenticate(services), getPrediction);

    addWaveSpeedUploadRoutes(app, services);

    app.post('/api/v3/*', authenticate(services), (context) => {
      const served = Object.values(waveSpeedModels).map((entry) => entry.modelPath).join(' and ');
      throw new GatewayError('not_found', `Model not found: ${context.req.path.slice('/api/v3/'.length)}; darkroom serves ${served}`);
    });
    return app;
  },

  toWebhookPayload(job, urls) {
    const outputUrls = job.state === 'succeeded' ? (job.result?.images ?? []).map((image) => urls.sign(image.blobKey)) : [];
    return toWaveSpeedWebhookPayload(job, outputUrls, resultUrlOf(job, (path) => urls.absolute(path)));
  },
};
