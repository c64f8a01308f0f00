import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../config/load-config.ts';
import { GatewayError } from '../domain/gateway-error.ts';
import { DarkroomClient } from '../workbench/app/darkroom-client.ts';

export type ServerConnection = {
  client: DarkroomClient;
  baseUrl: string;
  /** True when this process started its own gateway for the command. */
  inProcess: boolean;
  close(): Promise<void>;
};

/** Where the CLI finds a server: `--server`, then `DARKROOM_URL`. */
export function serverUrlFrom(flag: string | undefined, environment: Environment): string | undefined {
  const url = (flag ?? environment.DARKROOM_URL)?.trim();
  if (!url) return undefined;
  if (!/^https?:\/\/[^\s/]+/i.test(url)) throw GatewayError.invalid('--server', `"${url}" is not an http(s) URL`);
  return url.replace(/\/+$/, '');
}

/**
 * A client for a running server, or — when none is named and `inProcess` allows — for a gateway started
 * here on a free loopback port with an in-memory store and a temporary data directory (`DARKROOM_STORE=memory`).
 */
export async function connectToServer(
  environment: Environment,
  serverFlag: string | undefined,
  options: { inProcess: boolean; log?: (message: string) => void },
): Promise<ServerConnection> {
  const apiKey = environment.DARKROOM_API_KEY?.trim() || undefined;
  const url = serverUrlFrom(serverFlag, environment) ?? (options.inProcess ? undefined : 'http://127.0.0.1:8080');
  if (url) {
    return { client: new DarkroomClient({ baseUrl: url, apiKey: () => apiKey }), baseUrl: url, inProcess: false, close: async () => undefined };
  }
  // Only in-process runs load the server (seconds of imports a client command against a server skips).
  const [{ loadConfig }, { createGateway }] = await Promise.all([import('../config/load-config.ts'), import('../gateway.ts')]);
  const dataDirectory = mkdtempSync(join(tmpdir(), 'darkroom-cli-'));
  const config = loadConfig({
    ...environment,
    PORT: '0',
    DARKROOM_HOST: '127.0.0.1',
    DARKROOM_DATA_DIR: dataDirectory,
    DARKROOM_STORE: 'memory',
    DARKROOM_PUBLIC_URL: undefined,
  });
  const gateway = await createGateway(config);
  try {
    const address = await gateway.listen();
    const baseUrl = `http://127.0.0.1:${address.port}`;
    options.log?.(`no server given (--server or DARKROOM_URL): running darkroom in-process at ${baseUrl}`);
    return {
      client: new DarkroomClient({ baseUrl, apiKey: () => undefined }),
      baseUrl,
      inProcess: true,
      async close() {
        await gateway.close();
        rmSync(dataDirectory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await gateway.close();
    rmSync(dataDirectory, { recursive: true, force: true });
    throw error;
  }
}
