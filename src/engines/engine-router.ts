import { GatewayError } from '../domain/gateway-error.ts';
import type { ImageEngine } from './image-engine.ts';
import { builtInModels, type ModelDefinition } from './model-catalog.ts';

export type Route = { model: ModelDefinition; engine: ImageEngine };

/**
 * Maps model ids to engines. Configured routes win; otherwise the gpt-image-2 family goes to the first
 * registered upstream in `familyPreference` and falls back to the local engine.
 */
export class EngineRouter {
  private readonly engines = new Map<string, ImageEngine>();
  private readonly models = new Map<string, ModelDefinition>();
  private readonly routes = new Map<string, string>();

  constructor(options: {
    engines: ImageEngine[];
    routes: Record<string, string>;
    familyPreference: string[];
    models?: readonly ModelDefinition[];
  }) {
    for (const engine of options.engines) this.engines.set(engine.engineId, engine);
    for (const model of options.models ?? builtInModels) this.models.set(model.id, model);
    const upstream = options.familyPreference.find((engineId) => this.engines.has(engineId)) ?? 'local';
    for (const model of this.models.values()) {
      this.routes.set(model.id, model.family === 'gpt-image-2' ? upstream : 'local');
    }
    for (const [modelId, engineId] of Object.entries(options.routes)) {
      if (!this.engines.has(engineId)) {
        throw new Error(
          `DARKROOM_ROUTES sends ${modelId} to engine "${engineId}", which is not configured (configured: ${[...this.engines.keys()].join(', ')})`,
        );
      }
      this.routes.set(modelId, engineId);
      // A routed id that is not a built-in model becomes a custom model served as-is.
      if (!this.models.has(modelId)) {
        this.models.set(modelId, {
          id: modelId,
          displayName: modelId,
          description: `Served by the ${engineId} engine (configured route).`,
          operations: ['generate', 'edit'],
          requiresInputImages: false,
          family: 'custom',
          releasedAt: '2026-11-21',
        });
      }
    }
  }

  resolve(modelId: string): Route {
    const model = this.models.get(modelId);
    const engine = this.engines.get(this.routes.get(modelId) ?? '');
    if (!model || !engine) {
      throw new GatewayError('not_found', `Model not found: ${modelId}`, {
        field: 'model',
        details: { available: [...this.models.keys()] },
      });
    }
    return { model, engine };
  }

  list(): Route[] {
    return [...this.models.keys()].map((modelId) => this.resolve(modelId));
  }

  engineIds(): string[] {
    return [...this.engines.keys()];
  }

  engine(engineId: string): ImageEngine | undefined {
    return this.engines.get(engineId);
  }
}
