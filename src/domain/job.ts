import type { PublicError } from './gateway-error.ts';
import type { ImageRequest, ImageSize, OutputFormat } from './image-request.ts';
import type { JsonValue } from './json-value.ts';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const terminalStates: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];
export const isTerminal = (state: JobState): boolean => terminalStates.includes(state);

export type JobKind = 'generate' | 'edit';

/** Which wire format submitted the job; dialects use it to shape webhooks and history. */
export type JobOrigin = {
  dialect: string;
  operation: string;
  extras: Record<string, JsonValue>;
  /** Where to POST the job's terminal state, in the submitting dialect's payload shape. */
  webhookUrl?: string;
};

export type ResultImage = { blobKey: string; mediaType: string; format: OutputFormat; width: number; height: number; byteLength: number };

export type EngineWarning = { feature: string; message: string };

export type ImageUsage = {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  inputTextTokens: number;
  inputImageTokens: number;
  outputTextTokens: number;
  outputImageTokens: number;
};

export type JobResult = {
  images: ResultImage[];
  warnings: EngineWarning[];
  usage: ImageUsage | undefined;
  /** Size the engine actually produced (after fitting), for echoing. */
  size: ImageSize;
};

export type Job = {
  id: string;
  ownerKeyId: string | undefined;
  kind: JobKind;
  model: string;
  engineId: string;
  state: JobState;
  request: ImageRequest;
  origin: JobOrigin;
  result: JobResult | undefined;
  error: PublicError | undefined;
  attempts: number;
  createdAt: Date;
  startedAt: Date | undefined;
  completedAt: Date | undefined;
  /** True when the job's results must not be kept in history (fal `sync_mode`). */
  ephemeral: boolean;
};

export type NewJob = Pick<Job, 'id' | 'ownerKeyId' | 'kind' | 'model' | 'engineId' | 'request' | 'origin' | 'ephemeral'> & {
  createdAt: Date;
};
