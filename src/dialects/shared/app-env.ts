import type { Principal } from '../../auth/authenticator.ts';

/** What middleware puts on the Hono context for handlers. */
export type AppEnv = { Variables: { principal: Principal; requestId: string } };
