import type { Dialect } from './dialect.ts';
import { falDialect } from './fal/fal-dialect.ts';
import { openAiDialect } from './openai/openai-routes.ts';
import { oxenDialect } from './oxen/oxen-routes.ts';
import { waveSpeedDialect } from './wavespeed/wavespeed-routes.ts';

/** Every wire format darkroom speaks. Adding a dialect is its folder plus one line here. */
export const dialects: readonly Dialect[] = [oxenDialect, openAiDialect, waveSpeedDialect, falDialect];
