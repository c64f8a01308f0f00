import { ConfigError } from '../config/load-config.ts';
import { keysCommand } from './keys-command.ts';
import { serveCommand } from './serve-command.ts';

const usage = `darkroom — self-hostable image generation and editing API

Usage: darkroom <command> [options]

Commands:
  serve                      Run the API server (settings from the environment; see README)
  keys create --name NAME    Create an API key; prints only the key
  keys list                  List keys (id, name, prefix, created, revoked)
  keys revoke ID|NAME|PREFIX Revoke a key

Options:
  -h, --help                 Show help for a command`;

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
