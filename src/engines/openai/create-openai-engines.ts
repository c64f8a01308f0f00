import type { Config } from '../../config/config.ts';
import { gptImage2SizeLimits, type SizeLimits } from '../../domain/size-rules.ts';
import type { SafeFetch } from '../../net/safe-fetch.ts';
import { openAiCapabilities, OpenAiImageEngine } from './openai-image-engine.ts';
import type { OpenAiCapabilities } from './to-openai-params.ts';

/**
 * What a compatible server is assumed to do unless its entry says more: generations, edits with a mask,
 * but none of OpenAI's extras (streaming, transparency, moderation, input fidelity).
 */
export const compatibleCapabilities: OpenAiCapabilities = {
  generate: true,
  edit: true,
  mask: true,
  maxInputImages: 16,
  partialImages: false,
  transparentBackground: false,
  moderation: false,
  inputFidelity: false,
};

/** Diffusion servers work in multiples of 8 px (the latent grid) and rarely beyond 2048 px. */
export const compatibleSizeLimits: SizeLimits = { edgeMultiple: 8, minEdge: 64, maxEdge: 2048, maxAspectRatio: 4, minPixels: 64 * 64, maxPixels: 2048 * 2048 };

/** The engines speaking the OpenAI Images API that the configuration asks for: `openai`, then each compatible server. */
export function createOpenAiEngines(upstreams: Config['upstreams'], safeFetch: SafeFetch): OpenAiImageEngine[] {
  const engines: OpenAiImageEngine[] = [];
  const { openai } = upstreams;
  if (openai) {
    engines.push(
      new OpenAiImageEngine({
        engineId: 'openai',
        apiKey: openai.apiKey,
        baseUrl: openai.baseUrl,
        timeoutMs: openai.timeoutSeconds * 1000,
        capabilities: openAiCapabilities,
        sizeLimits: gptImage2SizeLimits,
        acceptRequestKey: true,
        safeFetch,
      }),
    );
  }
  for (const compatible of upstreams.compatible) {
    engines.push(
      new OpenAiImageEngine({
        engineId: compatible.id,
        apiKey: compatible.apiKey,
        baseUrl: compatible.baseUrl,
        timeoutMs: compatible.timeoutSeconds * 1000,
        capabilities: { ...compatibleCapabilities, ...compatible.capabilities },
        sizeLimits: { ...compatibleSizeLimits, ...compatible.sizeLimits },
        models: compatible.models,
        // A client's OpenAI key is for OpenAI, never for a third-party server.
        acceptRequestKey: false,
        safeFetch,
        description: `OpenAI-compatible image server at ${compatible.baseUrl}`,
      }),
    );
  }
  return engines;
}
