import type { Route } from '../../engines/engine-router.ts';

/** A notice for gpt-image-2 models answered by the offline engine, so nobody mistakes its output for the real model. */
export function localServingNotice(route: Route): string | undefined {
  if (route.engine.engineId !== 'local' || route.model.family !== 'gpt-image-2') return undefined;
  return `${route.model.id} is served by darkroom's offline local engine (typesetting and documented edits, not a generative model); set OPENAI_API_KEY or route the model to an upstream engine for the real ${route.model.id}.`;
}
