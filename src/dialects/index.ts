import type { Dialect } from './dialect.ts';
import { oxenDialect } from './oxen/oxen-routes.ts';

/** Every wire format darkroom speaks. Adding a dialect is its folder plus one line here. */
export const dialects: readonly Dialect[] = [oxenDialect];
