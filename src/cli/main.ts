import { ConfigError } from '../config/load-config.ts';
import { keysCommand } from './keys-command.ts';
import { purgeCommand } from './purge-command.ts';
import { serveCommand } from './serve-command.ts';
import { usageCommand } from './usage-command.ts';
import { webhooksCommand } from './webhooks-command.ts';

const usage = `darkroom — self-hostable image generation and editing API

Usage: darkroom <command> [options]

Commands:
  serve                      Run the API server (settings from the environment; see README)
  generate "<prompt>"        Generate images and save them; prints the file paths
  edit <image…> "<prompt>"   Edit images (files or URLs), optionally with --mask FILE
  jobs list|show|cancel|wait Inspect, cancel or wait for generations on a server
  models list|show           The models a server offers and their parameters
  keys create --name NAME    Create an API key; prints only the key
  keys list                  List keys (id, name, prefix, created, revoked)
  keys revoke ID|NAME|PREFIX Revoke a key
  keys set-budget ID --usd N Monthly budget of a key (USD, UTC calendar month)
  keys set-limits ID [--rpm N] [--concurrency N]
                             Requests per minute and queued+running jobs of a key
  usage [--from --to --json] What jobs cost, by day, model and key
  purge [--dry-run]          Remove finished jobs and uploads past DARKROOM_RETENTION_DAYS
  webhooks secret            Print the secret webhooks are signed with (whsec_…)

Options:
  -h, --help                 Show help for a command

generate, edit, jobs and models talk to --server URL (or DARKROOM_URL, with DARKROOM_API_KEY); without
one, generate, edit and models start darkroom in-process for the command.`;

export type CommandContext = {
  args: string[];
  environment: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const context: CommandContext = {
    args,
    environment: process.env,
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
  };
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    context.stdout(usage);
    return command ? 0 : 1;
  }
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(context);
      case 'keys':
        return await keysCommand(context);
      case 'usage':
        return await usageCommand(context);
      case 'purge':
        return await purgeCommand(context);
      // Loaded on demand: a client command should not pay for loading the whole server.
      case 'generate':
        return await (await import('./generate-command.ts')).generateCommand(context);
      case 'edit':
        return await (await import('./edit-command.ts')).editCommand(context);
      case 'jobs':
        return await (await import('./jobs-command.ts')).jobsCommand(context);
      case 'models':
        return await (await import('./models-command.ts')).modelsCommand(context);
      case 'webhooks':
        return await webhooksCommand(context);
      default:
        context.stderr(`darkroom: unknown command "${command}"\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      context.stderr(error.message);
      return 2;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      context.stderr(`darkroom ${command}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
