import type { Context } from 'hono';
import type { Principal } from '../../auth/authenticator.ts';
import { GatewayError } from '../../domain/gateway-error.ts';
import { isTerminal, type Job } from '../../domain/job.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import type { DialectServices } from '../dialect.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { readJsonObject } from '../shared/create-dialect-app.ts';
import { localServingNotice } from '../shared/local-serving-notice.ts';
import { falPrefixes, ownerAlias, type FalApp } from './fal-apps.ts';
import { falInputSchema, parseFalInput } from './fal-wire-schemas.ts';
import { falToImageRequest } from './to-image-request.ts';
import { falRequestUrls, toFalLog, toFalOutput, toFalQueueStatus, warningLogs, type FalLog, type FalRequestUrls } from './to-fal-response.ts';

export type FalOperation = 'queue' | 'run' | 'stream';

/** Queue positions are counted up to here; a status poll must stay cheap. */
const queuePositionCap = 100;

/** What the fal routes share: submitting a fal request as a job, and shaping jobs back into fal's objects. */
export class FalJobs {
  constructor(private readonly services: DialectServices) {}

  /** Validates the body for `app`, records the job and sets `x-fal-request-id`. */
  async submit(context: Context<AppEnv>, app: FalApp, options: { operation: FalOperation; partialImages: number; webhookUrl?: string }): Promise<Job> {
    const { services } = this;
    const input = parseFalInput(falInputSchema(app, services.settings.maxPromptLength), await readJsonObject(context));
    const route = services.router.resolve(app.model);
    const notice = localServingNotice(route);
    context.header('x-darkroom-engine', route.engine.engineId);
    if (notice) context.header('x-darkroom-notice', notice);
    const partialImages = route.engine.capabilities.partialImages ? options.partialImages : 0;
    // BYOK: the key travels beside the job in memory only, never into the store or the logs.
    const credentials = input.openai_api_key ? { openaiApiKey: input.openai_api_key } : undefined;
    const [job] = await services.jobs.submit(falToImageRequest(input, app, { partialImages }), {
      principal: context.get('principal'),
      origin: {
        dialect: 'fal',
        operation: options.operation,
        extras: { app: app.id, ...(input.sync_mode ? { sync_mode: true } : {}) },
        ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
      },
      ephemeral: input.sync_mode,
      signal: () => context.req.raw.signal,
      ...(credentials ? { credentials } : {}),
    });
    if (!job) throw new GatewayError('internal', 'No job was created');
    context.header('x-fal-request-id', job.id);
    return job;
  }

  requestUrls(job: Job): FalRequestUrls {
    const appId = typeof job.origin.extras.app === 'string' ? job.origin.extras.app : 'openai/gpt-image-2';
    return falRequestUrls(this.services.urls.absolute(falPrefixes.queue), ownerAlias(appId), job.id);
  }

  /** `sync_mode` results travel inline as data URIs; everything else as signed darkroom URLs. */
  async blobUrl(job: Job, blobKey: string): Promise<string> {
    if (job.origin.extras.sync_mode !== true) return this.services.urls.sign(blobKey);
    const blob = await this.services.blobs.get(blobKey);
    if (!blob) throw new GatewayError('internal', `Result ${blobKey} is missing from the blob store`);
    return `data:${blob.mediaType};base64,${Buffer.from(blob.data).toString('base64')}`;
  }

  async output(job: Job): Promise<JsonObject> {
    const urls = await Promise.all((job.result?.images ?? []).map((image) => this.blobUrl(job, image.blobKey)));
    return toFalOutput(job, urls);
  }

  async logs(job: Job): Promise<FalLog[]> {
    const events = await this.services.events.replay({ jobId: job.id }, 0, 1000);
    const lines = events.map(toFalLog).filter((line) => line !== undefined);
    return isTerminal(job.state) ? [...lines, ...warningLogs(job)] : lines;
  }

  /** How many of the caller's visible queued jobs are ahead of this one (capped). */
  async queuePosition(job: Job, principal: Principal): Promise<number> {
    if (job.state !== 'queued') return 0;
    const ahead = await this.services.jobs.list(principal, { states: ['queued'], beforeJobId: job.id, limit: queuePositionCap });
    return ahead.length;
  }

  async status(job: Job, principal: Principal, withLogs: boolean): Promise<JsonObject> {
    return toFalQueueStatus(job, {
      urls: this.requestUrls(job),
      logs: withLogs ? await this.logs(job) : [],
      queuePosition: await this.queuePosition(job, principal),
    });
  }
}

/** fal-js sends `logs=1|0`, fal-client for Python `logs=true|false`. */
export const wantsLogs = (value: string | undefined): boolean => value === '1' || value?.toLowerCase() === 'true';
