import type { ImageRequest, ImageRequestDraft } from '../../src/domain/image-request.ts';
import type { NewJob } from '../../src/domain/job.ts';

export function sampleRequest(overrides: Partial<ImageRequest> = {}): ImageRequest {
  return {
    model: 'gpt-image-2',
    prompt: 'a lighthouse at dusk',
    imageCount: 1,
    size: { width: 1024, height: 768 },
    aspectRatio: undefined,
    quality: 'high',
    outputFormat: 'png',
    outputCompression: undefined,
    background: 'auto',
    seed: undefined,
    inputImages: [],
    mask: undefined,
    partialImages: 0,
    engineOptions: {},
    ...overrides,
  };
}

let counter = 0;
export function sampleJob(overrides: Partial<NewJob> = {}): NewJob {
  counter += 1;
  return {
    id: `job-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    ownerKeyId: undefined,
    kind: 'generate',
    model: 'gpt-image-2',
    engineId: 'local',
    request: sampleRequest(),
    origin: { dialect: 'oxen', operation: 'generate', extras: {} },
    ephemeral: false,
    createdAt: new Date(1_700_000_000_000 + counter),
    ...overrides,
  };
}

/** A request as a dialect hands it to JobService.submit(), before its images are ingested. */
export function sampleDraft(overrides: Partial<ImageRequestDraft> = {}): ImageRequestDraft {
  return { ...sampleRequest(), sizeTier: undefined, inputImages: [], mask: undefined, ...overrides };
}
