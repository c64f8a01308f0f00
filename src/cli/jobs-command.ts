import { parseArgs } from 'node:util';
import type { Generation } from '../workbench/app/api-types.ts';
import { connectToServer } from './connect-to-server.ts';
import { GenerationWatcher } from './generation-watcher.ts';
import type { CommandContext } from './main.ts';
import { ProgressReporter } from './progress-reporter.ts';
import { reportFailure } from './report-failure.ts';
import { saveImages } from './save-images.ts';

const help = `Usage: darkroom jobs <action> [options]

Actions:
  list [--status S] [--limit N] [--model ID]   The key's generations, newest first
                                               (S: all (default), queued, processing, succeeded, failed, cancelled)
  show ID                                      One generation with its parameters and result URLs
  cancel ID…                                   Cancel queued or running generations
  wait ID… [--out DIR|FILE]                    Wait with progress; print result URLs, or save the images with --out

Options:
  --server URL   darkroom server (default: DARKROOM_URL, else http://127.0.0.1:8080)
  --json         Machine-readable output
  -h, --help     Show this help

Environment: DARKROOM_URL, DARKROOM_API_KEY.

Examples:
  darkroom jobs list --status failed --limit 5
  darkroom jobs wait 0f9c2a7e-… --out results/`;

const options = {
  status: { type: 'string' },
  limit: { type: 'string' },
  model: { type: 'string' },
  out: { type: 'string', short: 'o' },
  server: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const statuses = ['all', 'queued', 'processing', 'succeeded', 'failed', 'cancelled'] as const;

export async function jobsCommand(context: CommandContext): Promise<number> {
  const [action, ...rest] = context.args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options });
  if (!action || action === '--help' || action === '-h' || values.help) {
    context.stdout(help);
    return action ? 0 : 1;
  }
  const command = `darkroom jobs ${action}`;
  if (!['list', 'show', 'cancel', 'wait'].includes(action)) {
    context.stderr(`darkroom jobs: unknown action "${action}"\n\n${help}`);
    return 2;
  }
  if (action !== 'list' && positionals.length === 0) {
    context.stderr(`${command}: give a generation id\n\n${help}`);
    return 2;
  }
  const status = values.status ?? 'all';
  if (!statuses.includes(status as (typeof statuses)[number])) {
    context.stderr(`${command}: --status must be one of ${statuses.join(', ')}`);
    return 2;
  }
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    context.stderr(`${command}: --limit must be a whole number from 1 to 500`);
    return 2;
  }
  const json = values.json === true;
  try {
    const { client, baseUrl } = await connectToServer(context.environment, values.server, { inProcess: false });
    switch (action) {
      case 'list': {
        const generations = await client.listGenerations({ status: status as (typeof statuses)[number], limit, ...(values.model ? { model: values.model } : {}) });
        if (json) context.stdout(JSON.stringify(generations, null, 2));
        else if (generations.length === 0) context.stderr('no generations');
        else for (const generation of generations) context.stdout(listLine(generation));
        return 0;
      }
      case 'show': {
        const generations = await Promise.all(positionals.map((id) => client.getGeneration(id)));
        if (json) context.stdout(JSON.stringify(generations.length === 1 ? generations[0] : generations, null, 2));
        else context.stdout(generations.map(describe).join('\n\n'));
        return 0;
      }
      case 'cancel': {
        const answers = await Promise.all(positionals.map(async (id) => ({ id, ...(await client.cancel(id)) })));
        if (json) context.stdout(JSON.stringify(answers, null, 2));
        else for (const answer of answers) context.stdout(`${answer.id} ${answer.generation_status ?? answer.status}`);
        return 0;
      }
      default: {
        const watcher = await GenerationWatcher.open(client);
        const reporter = new ProgressReporter(process.stderr, !json);
        try {
          const generations = await watcher.wait(positionals, (progress) => reporter.update(progress));
          reporter.stop();
          const succeeded = generations.filter((generation) => generation.status === 'succeeded');
          const images = succeeded.flatMap((generation) => (generation.result_urls ?? []).map((url) => ({ generationId: generation.generation_id, url })));
          const files = values.out ? await saveImages(images, values.out, baseUrl) : [];
          if (json) context.stdout(JSON.stringify({ generations, files }, null, 2));
          else for (const line of values.out ? files : images.map((image) => image.url)) context.stdout(line);
          for (const generation of generations.filter((candidate) => candidate.status !== 'succeeded')) {
            context.stderr(`${command}: generation ${generation.generation_id} ${generation.status}${generation.error_message ? `: ${generation.error_message}` : ''}`);
          }
          return succeeded.length === generations.length ? 0 : 1;
        } finally {
          reporter.stop();
          watcher.close();
        }
      }
    }
  } catch (error) {
    return reportFailure(context, command, error);
  }
}

function listLine(generation: Generation): string {
  const created = generation.enqueued_at ? new Date(generation.enqueued_at * 1000).toISOString().replace('.000Z', 'Z') : '-';
  const prompt = generation.prompt.length > 60 ? `${generation.prompt.slice(0, 57)}…` : generation.prompt;
  return [generation.generation_id, generation.status.padEnd(10), generation.model_name.padEnd(18), created, prompt.replace(/\s+/g, ' ')].join('  ');
}

/** `name:` padded to a column, always followed by at least one space. */
const line = (name: string, value: string) => `${`${name}:`.padEnd(10)} ${value}`;

function describe(generation: Generation): string {
  const lines = [line('id', generation.generation_id), line('status', generation.status), line('model', generation.model_name), line('prompt', generation.prompt)];
  const times = [['queued', generation.enqueued_at], ['started', generation.started_at], ['completed', generation.completed_at]] as const;
  for (const [label, seconds] of times) if (seconds) lines.push(line(label, new Date(seconds * 1000).toISOString()));
  if (generation.error_message) lines.push(line('error', generation.error_message));
  const fixed = new Set(['generation_id', 'status', 'model_name', 'prompt', 'enqueued_at', 'started_at', 'completed_at', 'error_message', 'result_url', 'result_urls', 'media_type']);
  for (const [name, value] of Object.entries(generation)) {
    if (!fixed.has(name) && value !== undefined && value !== null) lines.push(line(name, typeof value === 'string' ? value : JSON.stringify(value)));
  }
  for (const url of generation.result_urls ?? []) lines.push(line('result', url));
  return lines.join('\n');
}
