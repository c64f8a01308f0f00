import { loadConfig } from '../config/load-config.ts';
import { loadOrCreateWebhookSecret, webhookSecretPath } from '../webhooks/webhook-secret.ts';
import type { CommandContext } from './main.ts';

const help = `Usage:
  darkroom webhooks secret   Print the secret webhooks are signed with (whsec_…)

Receivers verify requests with it, e.g. new Webhook(secret).verify(body, headers) from the
standardwebhooks package. It is DARKROOM_WEBHOOK_SECRET when set, otherwise the one kept in
DARKROOM_DATA_DIR/webhook-secret (generated on first use). See docs/webhooks.md.`;

export async function webhooksCommand(context: CommandContext): Promise<number> {
  const [action] = context.args;
  if (!action || action === '--help' || action === '-h') {
    context.stdout(help);
    return action ? 0 : 1;
  }
  if (action !== 'secret') {
    context.stderr(`darkroom webhooks: unknown action "${action}"\n\n${help}`);
    return 2;
  }
  const config = loadConfig(context.environment);
  if (config.webhooks.secret) {
    context.stdout(config.webhooks.secret);
    return 0;
  }
  context.stdout(loadOrCreateWebhookSecret(config.dataDirectory));
  context.stderr(`(kept in ${webhookSecretPath(config.dataDirectory)})`);
  return 0;
}
