import { parseArgs } from 'node:util';
import type { ModelInfo } from '../workbench/app/api-types.ts';
import { describeRequestSchema, type FieldSpec } from '../workbench/app/schema-fields.ts';
import { connectToServer, type ServerConnection } from './connect-to-server.ts';
import type { CommandContext } from './main.ts';
import { reportFailure } from './report-failure.ts';

const help = `Usage: darkroom models <action> [options]

Actions:
  list        Models the server offers: id, engine, operations, name
  show ID     One model: description, engine and its request parameters (from the request schema)

Options:
  --server URL   darkroom server (default: DARKROOM_URL; none = run in-process)
  --json         The server's model objects as JSON
  -h, --help     Show this help`;

const options = { server: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export async function modelsCommand(context: CommandContext): Promise<number> {
  const [action, ...rest] = context.args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options });
  if (!action || action === '--help' || action === '-h' || values.help) {
    context.stdout(help);
    return action ? 0 : 1;
  }
  if (action !== 'list' && action !== 'show') {
    context.stderr(`darkroom models: unknown action "${action}"\n\n${help}`);
    return 2;
  }
  const [modelId] = positionals;
  if (action === 'show' && !modelId) {
    context.stderr(`darkroom models show: give a model id\n\n${help}`);
    return 2;
  }
  const command = `darkroom models ${action}`;
  let connection: ServerConnection;
  try {
    connection = await connectToServer(context.environment, values.server, { inProcess: true });
  } catch (error) {
    return reportFailure(context, command, error);
  }
  try {
    if (action === 'list') {
      const models = await connection.client.listModels();
      if (values.json) context.stdout(JSON.stringify(models, null, 2));
      else for (const model of models) context.stdout(listLine(model));
      return 0;
    }
    const model = await connection.client.getModel(modelId ?? '');
    context.stdout(values.json ? JSON.stringify(model, null, 2) : describe(model));
    return 0;
  } catch (error) {
    return reportFailure(context, command, error);
  } finally {
    await connection.close();
  }
}

function listLine(model: ModelInfo): string {
  const operations = model.endpoint === '/images/edit' ? 'edit' : 'generate, edit';
  return [model.id.padEnd(18), (model.engine?.id ?? '-').padEnd(10), operations.padEnd(16), model.display_name ?? ''].join('  ');
}

function describe(model: ModelInfo): string {
  const form = describeRequestSchema(model.request_schema);
  const lines = [`${model.display_name ?? model.id} (${model.id})`, '', model.description ?? ''];
  if (model.notice) lines.push('', `Note: ${model.notice}`);
  lines.push('', `engine:    ${model.engine?.id ?? '-'}`, `endpoint:  ${model.endpoint ?? '-'}`, '', 'Parameters:');
  if (form.prompt) lines.push(`  prompt              ${form.prompt.required ? 'required' : 'optional'} text`);
  if (form.inputImages) lines.push(`  input_image         ${form.inputImages.required ? 'required' : 'optional'}, up to ${form.inputImages.maxItems} images (URLs or data URIs)`);
  if (form.mask) lines.push('  mask_url            optional mask: white = edit, black = keep');
  for (const field of form.fields) lines.push(`  ${field.name.padEnd(18)}  ${describeField(field)}`);
  return lines.join('\n');
}

function describeField(field: FieldSpec): string {
  const fallback = field.defaultValue === undefined ? '' : ` (default ${JSON.stringify(field.defaultValue)})`;
  switch (field.kind) {
    case 'select':
      return `${field.options.join(' | ')}${fallback}`;
    case 'integer':
    case 'number':
      return `${field.kind}${field.minimum !== undefined && field.maximum !== undefined ? ` ${field.minimum}-${field.maximum}` : ''}${fallback}`;
    case 'boolean':
      return `true | false${fallback}`;
    case 'text':
      return `text${fallback}`;
  }
}
