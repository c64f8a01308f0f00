import type { Context } from 'hono';
import type { Principal } from '../../auth/authenticator.ts';
import { GatewayError } from '../../domain/gateway-error.ts';
import type { ImageSource } from '../../domain/image-request.ts';
import type { Dialect, DialectServices } from '../dialect.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { authenticate, createDialectApp, limitBody, readJsonObject } from '../shared/create-dialect-app.ts';
import { jsonWithBase64 } from '../shared/json-with-base64.ts';
import { localServingNotice } from '../shared/local-serving-notice.ts';
import { parseWith } from '../shared/zod-error.ts';
import { jobFailure } from './job-failure.ts';
import { OpenAiFileStore } from './openai-file-store.ts';
import { registerOpenAiFileRoutes } from './openai-file-routes.ts';
import {
  coerceFormFields,
  defaultOpenAiModel,
  openAiImageBodySchema,
  openAiJsonEditReferencesSchema,
  type OpenAiImageReference,
} from './openai-wire-schemas.ts';
import { readEditForm, readFormData } from './read-edit-form.ts';
import { streamOpenAiImages } from './stream-openai-images.ts';
import { echoedOpenAiParameters, openAiToImageRequest, type OpenAiImageSources } from './to-image-request.ts';
import { toOpenAiError } from './to-openai-error.ts';
import { toOpenAiImagesResponse, toOpenAiModel, type OpenAiImageData, type OpenAiOperation } from './to-openai-response.ts';

type ImageCall = { operation: OpenAiOperation; fields: Record<string, unknown>; sources: OpenAiImageSources };

/** Multipart and url-encoded bodies are forms; everything else is read as JSON (the SDK always labels it). */
const isForm = (context: Context): boolean => /^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(context.req.header('content-type') ?? '');

/**
 * OpenAI's Images API under `/v1` (plus the Files and Models endpoints its SDK uses around it), so programs
 * written for the official SDKs run against darkroom by changing the base URL. Every image call is a job.
 */
export const openAiDialect: Dialect = {
  dialectId: 'openai',
  createRoutes(services: DialectServices) {
    const app = createDialectApp(toOpenAiError);
    const files = new OpenAiFileStore(services.blobs, services.now);
    app.use('/v1/*', authenticate(services));
    const bodyLimit = limitBody(services.settings.maxBodyBytes);

    /** JSON edit references: URLs and data URLs go to ingestion as they are; file ids are loaded here. */
    const resolveReference = async (reference: OpenAiImageReference, field: string, principal: Principal): Promise<ImageSource> => {
      if (reference.image_url !== undefined) return { type: 'url', url: reference.image_url, field: `${field}.image_url` };
      const fileField = `${field}.file_id`;
      const record = await files.get(reference.file_id ?? '', principal, fileField).catch((error: unknown) => {
        throw GatewayError.is(error) && error.code === 'not_found' ? GatewayError.invalid(fileField, `no such file: ${reference.file_id}`) : error;
      });
      return { type: 'bytes', data: (await files.content(record, fileField)).data, field: fileField };
    };

    const readEditCall = async (context: Context<AppEnv>): Promise<ImageCall> => {
      if (isForm(context)) {
        const form = await readEditForm(await readFormData(context));
        if (form.images.length === 0) throw GatewayError.invalid('image', 'required: one or more image files (image or image[])');
        return { operation: 'edits', fields: coerceFormFields(form.fields), sources: { images: form.images, mask: form.mask } };
      }
      const fields = await readJsonObject(context);
      const references = parseWith(openAiJsonEditReferencesSchema, fields);
      const principal = context.get('principal');
      const images = await Promise.all(references.images.map((reference, index) => resolveReference(reference, `images.${index}`, principal)));
      const mask = references.mask ? await resolveReference(references.mask, 'mask', principal) : undefined;
      return { operation: 'edits', fields, sources: { images, mask } };
    };

    const run = async (context: Context<AppEnv>, call: ImageCall): Promise<Response> => {
      const { operation, fields, sources } = call;
      const modelId = typeof fields.model === 'string' && fields.model.trim() !== '' ? fields.model.trim() : defaultOpenAiModel;
      const route = services.router.resolve(modelId);
      const body = parseWith(
        openAiImageBodySchema({ maxPromptLength: services.settings.maxPromptLength, maxEdge: route.engine.sizeLimits.maxEdge }),
        fields,
      );
      if (operation === 'generations' && route.model.requiresInputImages) {
        throw GatewayError.invalid('model', `${route.model.id} only edits images; use POST /v1/images/edits`);
      }
      context.header('x-darkroom-engine', route.engine.engineId);
      const notice = localServingNotice(route);
      if (notice) context.header('x-darkroom-notice', notice);

      const principal = context.get('principal');
      const signal = context.req.raw.signal;
      // Read before submitting: the stream replays from here, so even a job that finishes at once is complete.
      const afterSequence = body.stream ? await services.events.lastSequence() : 0;
      const [job] = await services.jobs.submit(openAiToImageRequest({ ...body, model: modelId }, sources), {
        principal,
        origin: { dialect: 'openai', operation, extras: echoedOpenAiParameters(body) },
        signal: () => signal,
      });
      if (!job) throw new GatewayError('internal', 'No job was created');
      context.header('x-darkroom-job-id', job.id);
      if (body.stream) return streamOpenAiImages(context, { services, operation, job, principal, afterSequence });

      const finished = await services.jobs.waitForTerminal(job.id, { timeoutMs: services.settings.syncTimeoutMs, signal });
      const failure = jobFailure(finished);
      if (failure) throw failure;
      const results = finished.result?.images ?? [];
      const warnings = finished.result?.warnings ?? [];
      if (warnings.length > 0) context.header('x-darkroom-warnings', warnings.map((warning) => warning.message).join('; ').slice(0, 1000));
      if (body.response_format === 'url') {
        const data: OpenAiImageData[] = results.map((image) => ({ url: services.urls.sign(image.blobKey) }));
        return context.json(toOpenAiImagesResponse(finished, data));
      }
      const blobs = await Promise.all(results.map(async (image) => (await services.blobs.get(image.blobKey))?.data ?? new Uint8Array()));
      const json = jsonWithBase64(blobs, (placeholder) => toOpenAiImagesResponse(finished, blobs.map((_, index) => ({ b64_json: placeholder(index) }))));
      return context.body(json as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/json' });
    };

    app.post('/v1/images/generations', bodyLimit, async (context) =>
      run(context, { operation: 'generations', fields: await readJsonObject(context), sources: { images: [], mask: undefined } }),
    );
    app.post('/v1/images/edits', bodyLimit, async (context) => run(context, await readEditCall(context)));

    app.get('/v1/models', (context) => context.json({ object: 'list', data: services.router.list().map(toOpenAiModel) }));
    app.get('/v1/models/:id', (context) => context.json(toOpenAiModel(services.router.resolve(context.req.param('id')))));

    registerOpenAiFileRoutes(app, files, { bodyLimit, maxFileBytes: services.settings.maxInputBytes });
    return app;
  },
};
