import type { Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { GatewayError } from '../../domain/gateway-error.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { parseWith } from '../shared/zod-error.ts';
import type { OpenAiFileStore } from './openai-file-store.ts';
import { openAiFilePurposes } from './openai-wire-schemas.ts';
import { readFormData } from './read-edit-form.ts';
import { toOpenAiFile } from './to-openai-response.ts';

const purposeSchema = z.object({
  purpose: z.enum(openAiFilePurposes, { error: (issue) => (issue.input === undefined ? 'required' : `must be one of ${openAiFilePurposes.join(', ')}`) }),
});

const listQuerySchema = z.object({
  purpose: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(10_000),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().min(1).optional(),
});

/**
 * The part of OpenAI's Files API that image calls need: upload a file, then reference it as `file_id` in a
 * JSON `/v1/images/edits` body. Uploads are capped at the input image limit and checked as images when used.
 */
export function registerOpenAiFileRoutes(
  app: Hono<AppEnv>,
  files: OpenAiFileStore,
  limits: { bodyLimit: MiddlewareHandler<AppEnv>; maxFileBytes: number },
): void {
  const { bodyLimit, maxFileBytes } = limits;
  app.post('/v1/files', bodyLimit, async (context) => {
    const form = await readFormData(context);
    const file = form.get('file');
    if (file === null || typeof file === 'string') throw GatewayError.invalid('file', 'required: the file to upload, as a multipart file part');
    if (file.size > maxFileBytes) {
      throw new GatewayError('payload_too_large', `file: ${file.size} bytes is above the limit of ${maxFileBytes} bytes`, { field: 'file' });
    }
    const { purpose } = parseWith(purposeSchema, { purpose: form.get('purpose') ?? undefined });
    const record = await files.create(context.get('principal'), {
      filename: file.name || 'upload',
      purpose,
      data: new Uint8Array(await file.arrayBuffer()),
      mediaType: file.type,
    });
    return context.json(toOpenAiFile(record));
  });

  app.get('/v1/files', async (context) => {
    const query = parseWith(listQuerySchema, context.req.query());
    const records = await files.list(context.get('principal'), query.purpose);
    if (query.order === 'asc') records.reverse();
    const start = query.after === undefined ? 0 : records.findIndex((record) => record.id === query.after) + 1;
    const page = records.slice(start, start + query.limit);
    return context.json({
      object: 'list',
      data: page.map(toOpenAiFile),
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: start + query.limit < records.length,
    });
  });

  app.get('/v1/files/:id', async (context) => context.json(toOpenAiFile(await files.get(context.req.param('id'), context.get('principal')))));

  app.delete('/v1/files/:id', async (context) => {
    const id = context.req.param('id');
    await files.delete(id, context.get('principal'));
    return context.json({ id, object: 'file', deleted: true });
  });

  app.get('/v1/files/:id/content', async (context) => {
    const record = await files.get(context.req.param('id'), context.get('principal'));
    const blob = await files.content(record);
    return context.body(blob.data as Uint8Array<ArrayBuffer>, 200, {
      'content-type': record.mediaType,
      'content-length': String(blob.byteLength),
      'x-content-type-options': 'nosniff',
    });
  });
}
