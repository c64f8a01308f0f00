import type { WorkbenchForm } from '../../src/workbench/app/build-request.ts';

/** A Workbench form with everything empty; tests override what they need. */
export function workbenchForm(overrides: Partial<WorkbenchForm> = {}): WorkbenchForm {
  return {
    model: 'gpt-image-2',
    prompt: 'A lighthouse at dusk',
    parameters: {},
    inputImages: [],
    firstImageSize: undefined,
    mask: undefined,
    alphaMask: undefined,
    editOnly: false,
    mode: 'sync',
    generations: 1,
    ...overrides,
  };
}
