/** A fal app id darkroom answers to, and the darkroom model behind it. */
export type FalApp = { id: string; model: string; operation: 'generate' | 'edit' };

/** fal serves gpt-image-2 under both owners (`openai/…` on its model pages, `fal-ai/…` in older links). */
export const falApps: readonly FalApp[] = [
  { id: 'openai/gpt-image-2', model: 'gpt-image-2', operation: 'generate' },
  { id: 'openai/gpt-image-2/edit', model: 'gpt-image-2-edit', operation: 'edit' },
  { id: 'fal-ai/gpt-image-2', model: 'gpt-image-2', operation: 'generate' },
  { id: 'fal-ai/gpt-image-2/edit', model: 'gpt-image-2-edit', operation: 'edit' },
];

export const findFalApp = (appId: string): FalApp | undefined => falApps.find((app) => app.id === appId);

/** `openai/gpt-image-2/edit` → `openai/gpt-image-2`: fal's status, result and cancel URLs drop the subpath. */
export const ownerAlias = (appId: string): string => appId.split('/').slice(0, 2).join('/');

export type FalRequestAction = 'status' | 'status-stream' | 'result' | 'cancel';

/** What a path below the queue prefix asks for. */
export type FalQueuePath =
  | { kind: 'submit'; app: FalApp }
  | { kind: FalRequestAction; requestId: string };

const actions: Record<string, FalRequestAction> = { '': 'result', status: 'status', 'status/stream': 'status-stream', cancel: 'cancel' };

const segmentsOf = (path: string): string[] =>
  path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });

/**
 * Parses `{app}` (submit) or `{owner}/{alias}[/{subpath}]/requests/{id}[/status[/stream]|/cancel]`.
 * Undefined when the path names no app darkroom serves or no known action.
 */
export function parseFalQueuePath(path: string): FalQueuePath | undefined {
  const segments = segmentsOf(path);
  const requestsAt = segments.indexOf('requests', 2);
  if (requestsAt === -1) {
    const app = findFalApp(segments.join('/'));
    return app ? { kind: 'submit', app } : undefined;
  }
  const appId = segments.slice(0, requestsAt).join('/');
  if (!findFalApp(appId)) return undefined;
  const requestId = segments[requestsAt + 1];
  const action = actions[segments.slice(requestsAt + 2).join('/')];
  if (!requestId || !action) return undefined;
  return { kind: action, requestId };
}

/** `{app}` or `{app}/stream` below the sync-run prefix. */
export function parseFalRunPath(path: string): { app: FalApp; stream: boolean } | undefined {
  const segments = segmentsOf(path);
  const whole = findFalApp(segments.join('/'));
  if (whole) return { app: whole, stream: false };
  if (segments[segments.length - 1] !== 'stream') return undefined;
  const app = findFalApp(segments.slice(0, -1).join('/'));
  return app ? { app, stream: true } : undefined;
}

/** Where darkroom mounts each fal host: `queue.fal.run`, `fal.run`, `rest.fal.ai`, plus upload targets and the proxy. */
export const falPrefixes = {
  queue: '/fal/queue',
  run: '/fal/run',
  rest: '/fal/rest',
  uploads: '/fal/uploads',
  proxy: '/api/fal/proxy',
} as const;
