import { GatewayError } from '../domain/gateway-error.ts';
import { isUnreachable } from '../workbench/app/darkroom-client.ts';
import type { CommandContext } from './main.ts';

/**
 * Prints why a command failed, with the server's own message for HTTP errors, and returns the exit code:
 * 1 for failures (unreachable server, 4xx/5xx answers, failed generations). Usage errors return 2 earlier.
 */
export function reportFailure(context: CommandContext, command: string, error: unknown): number {
  if (!(error instanceof GatewayError)) {
    context.stderr(`${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const unreachable = isUnreachable(error);
  const status = !unreachable && error.status >= 400 && error.status < 600 ? ` (HTTP ${error.status})` : '';
  const hint =
    error.code === 'unauthorized'
      ? '\nSet DARKROOM_API_KEY to a key of this server (create one with `darkroom keys create --name NAME`).'
      : unreachable
        ? '\nStart one with `npx darkroom serve`, pass --server URL / set DARKROOM_URL, or (generate, edit, models) leave both unset to run in-process.'
        : '';
  context.stderr(`${command}: ${error.message}${status}${hint}`);
  return 1;
}
