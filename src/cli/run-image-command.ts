import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GatewayError } from '../domain/gateway-error.ts';
import type { JsonObject } from '../domain/json-value.ts';
import { sniffImageType } from '../imaging/sniff-image-type.ts';
import { connectToServer, serverUrlFrom, type ServerConnection } from './connect-to-server.ts';
import { GenerationWatcher } from './generation-watcher.ts';
import type { CommandContext } from './main.ts';
import { ProgressReporter } from './progress-reporter.ts';
import { reportFailure } from './report-failure.ts';
import { saveImages } from './save-images.ts';

export type ImageCommandKind = 'generate' | 'edit';

export const imageCommandOptions = {
  model: { type: 'string', short: 'm' },
  size: { type: 'string', short: 's' },
  'aspect-ratio': { type: 'string' },
  quality: { type: 'string', short: 'q' },
  format: { type: 'string', short: 'f' },
  count: { type: 'string', short: 'n' },
  out: { type: 'string', short: 'o' },
  seed: { type: 'string' },
  background: { type: 'string' },
  compression: { type: 'string' },
  mask: { type: 'string' },
  server: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type ImageCommandValues = { [K in keyof typeof imageCommandOptions]?: (typeof imageCommandOptions)[K]['type'] extends 'boolean' ? boolean : string };

const integerOption = (name: string, value: string | undefined, minimum: number, maximum: number): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum || parsed > maximum) throw GatewayError.invalid(name, `must be a whole number from ${minimum} to ${maximum} (got "${value}")`);
  return parsed;
};

/**
 * The Oxen request body for the command-line flags. Pure: images and mask arrive as URLs or data URIs already.
 * `--size` is Oxen's `resolution` (1024x1024, 1K/2K/4K, auto); the server validates the values.
 */
export function imageRequestBody(kind: ImageCommandKind, values: ImageCommandValues, prompt: string, images: string[], mask: string | undefined): JsonObject {
  const body: JsonObject = { model: values.model ?? (kind === 'edit' ? 'gpt-image-2-edit' : 'gpt-image-2'), prompt };
  if (images.length > 0) body.input_image = images;
  if (values.size) body.resolution = values.size;
  if (values['aspect-ratio']) body.aspect_ratio = values['aspect-ratio'];
  if (values.quality) body.quality = values.quality;
  if (values.format) body.output_format = values.format === 'jpg' ? 'jpeg' : values.format;
  const count = integerOption('-n', values.count, 1, 4);
  if (count !== undefined) body.num_images = count;
  const seed = integerOption('--seed', values.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (seed !== undefined) body.seed = seed;
  if (values.background) body.background = values.background;
  const compression = integerOption('--compression', values.compression, 0, 100);
  if (compression !== undefined) body.output_compression = compression;
  if (mask) body.mask_url = mask;
  return body;
}

/** A command-line image argument: URLs pass through, files become data URIs. */
export function imageReference(argument: string, name: string): string {
  if (/^(https?:|data:)/i.test(argument)) return argument;
  if (!existsSync(argument)) throw GatewayError.invalid(name, `no such file: ${argument}`);
  const bytes = new Uint8Array(readFileSync(argument));
  const type = sniffImageType(bytes);
  if (!type) throw GatewayError.invalid(name, `${argument} is not a png, jpeg or webp image`);
  return `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;
}

/** `generate` and `edit`: submit to the queue, follow progress, download the images, print their paths. */
export async function runImageCommand(context: CommandContext, kind: ImageCommandKind, help: string): Promise<number> {
  const { values, positionals } = parseArgs({ args: context.args, allowPositionals: true, options: imageCommandOptions });
  if (values.help) {
    context.stdout(help);
    return 0;
  }
  const command = `darkroom ${kind}`;
  let body: JsonObject;
  try {
    serverUrlFrom(values.server, context.environment);
    const { prompt, images } = splitPositionals(kind, positionals);
    body = imageRequestBody(kind, values, prompt, images.map((image, index) => imageReference(image, `input image ${index + 1}`)), values.mask ? imageReference(values.mask, '--mask') : undefined);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    context.stderr(`${command}: ${error.message}\n\n${help}`);
    return 2;
  }

  const json = values.json === true;
  let connection: ServerConnection;
  try {
    connection = await connectToServer(context.environment, values.server, { inProcess: true, log: json ? undefined : (message) => context.stderr(`darkroom: ${message}`) });
  } catch (error) {
    return reportFailure(context, command, error);
  }
  const { client } = connection;
  const reporter = new ProgressReporter(process.stderr, !json);
  const watcher = await GenerationWatcher.open(client);
  let ids: string[] = [];
  const interrupt = () => {
    // Ctrl+C cancels what this command queued, so nothing keeps running unseen.
    reporter.stop();
    context.stderr(`${command}: interrupted, cancelling ${ids.length} generation(s)`);
    void Promise.allSettled(ids.map((id) => client.cancel(id))).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  try {
    ids = await client.enqueue(body);
    const generations = await watcher.wait(ids, (progress) => reporter.update(progress));
    reporter.stop();
    const succeeded = generations.filter((generation) => generation.status === 'succeeded');
    const images = succeeded.flatMap((generation) => (generation.result_urls ?? []).map((url) => ({ generationId: generation.generation_id, url })));
    const paths = await saveImages(images, values.out, connection.baseUrl);
    const elapsedMs = Math.round(reporter.elapsed());
    if (json) {
      let next = 0;
      context.stdout(
        JSON.stringify(
          {
            server: connection.inProcess ? 'in-process' : connection.baseUrl,
            elapsed_ms: elapsedMs,
            generations: generations.map((generation) => {
              const urls = generation.status === 'succeeded' ? (generation.result_urls ?? []) : [];
              const files = paths.slice(next, (next += urls.length));
              return { generation_id: generation.generation_id, model: generation.model_name, status: generation.status, files, urls, error: generation.error_message };
            }),
          },
          null,
          2,
        ),
      );
    } else {
      for (const path of paths) context.stdout(path);
      for (const generation of generations.filter((candidate) => candidate.status !== 'succeeded')) {
        context.stderr(`${command}: generation ${generation.generation_id} ${generation.status}${generation.error_message ? `: ${generation.error_message}` : ''}`);
      }
      if (succeeded.length > 0) context.stderr(`darkroom: ${paths.length} image${paths.length === 1 ? '' : 's'} in ${(elapsedMs / 1000).toFixed(1)} s`);
    }
    return succeeded.length === generations.length ? 0 : 1;
  } catch (error) {
    reporter.stop();
    return reportFailure(context, command, error);
  } finally {
    process.removeListener('SIGINT', interrupt);
    watcher.close();
    await connection.close();
  }
}

/** `generate` takes the prompt (unquoted words are joined); `edit` takes images first and the prompt last. */
function splitPositionals(kind: ImageCommandKind, positionals: string[]): { prompt: string; images: string[] } {
  if (kind === 'generate') {
    const prompt = positionals.join(' ').trim();
    if (!prompt) throw GatewayError.invalid('prompt', 'give the prompt, e.g. darkroom generate "a lighthouse at dusk"');
    return { prompt, images: [] };
  }
  if (positionals.length < 2) throw GatewayError.invalid('arguments', 'give one or more images and then the prompt, e.g. darkroom edit photo.png "make it black and white"');
  const prompt = positionals.at(-1)?.trim() ?? '';
  if (!prompt) throw GatewayError.invalid('prompt', 'the prompt (last argument) is empty');
  return { prompt, images: positionals.slice(0, -1) };
}
