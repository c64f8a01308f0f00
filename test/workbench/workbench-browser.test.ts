import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { patternPng, solidPng } from '../helpers/image-fixtures.ts';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';
import { PartialImagesEngine } from './partial-images-engine.ts';

const run = promisify(execFile);
const artifacts = join(process.cwd(), 'test-artifacts', 'workbench');
const chromiumArguments = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];

/** Pixels of an image served by darkroom, as RGB. */
async function pixelsOf(url: string): Promise<{ width: number; height: number; at: (x: number, y: number) => [number, number, number] }> {
  const response = await fetch(url);
  const { data, info } = await sharp(Buffer.from(await response.arrayBuffer())).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    at: (x, y) => {
      const offset = (y * info.width + x) * 3;
      return [data[offset] ?? 0, data[offset + 1] ?? 0, data[offset + 2] ?? 0];
    },
  };
}
const isGrey = ([red, green, blue]: [number, number, number]) => Math.max(red, green, blue) - Math.min(red, green, blue) <= 2;

describe('the Workbench in Chromium', () => {
  let gateway: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let files: string;
  const problems: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  const runButton = () => page.getByRole('button', { name: 'Run', exact: true });

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    files = mkdtempSync(join(tmpdir(), 'darkroom-workbench-'));
    writeFileSync(join(files, 'pattern.png'), await patternPng(320, 240));
    writeFileSync(join(files, 'solid.png'), await solidPng(200, 150, { r: 30, g: 90, b: 200 }));
    gateway = await startTestGateway({
      environment: { DARKROOM_STORE: 'memory', DARKROOM_ROUTES: 'streaming-preview=streaming,slow-model=slow' },
      extraEngines: [new PartialImagesEngine('streaming', { partials: 2, stepMs: 250 }), new FakeImageEngine('slow', { delayMs: 20_000 })],
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: chromiumArguments });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, permissions: ['clipboard-read', 'clipboard-write'] });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${gateway.baseUrl}/`);
    await page.locator('#workbench[aria-busy="false"]').waitFor({ state: 'attached' });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    rmSync(files, { recursive: true, force: true });
  });

  it('generates from the generated form and shows the result', async () => {
    await page.getByLabel('Model', { exact: true }).selectOption('gpt-image-2');
    await page.getByLabel('Prompt', { exact: true }).fill('A lighthouse at dusk');
    await page.getByLabel('Resolution', { exact: true }).selectOption('1024x768');
    await runButton().click();
    const card = page.locator('.run').first();
    await card.locator('.status-succeeded').waitFor();
    const image = card.locator('figure.result img');
    await expect.poll(() => image.evaluate((element: HTMLImageElement) => element.naturalWidth)).toBe(1024);
    await screenshot('1-generated');
  });

  it('uploads two images, reorders them, paints a mask and runs a masked edit', async () => {
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: /Drop images here/ }).click()]);
    await chooser.setFiles([join(files, 'solid.png'), join(files, 'pattern.png')]);
    await expect.poll(() => page.locator('.thumbnail .dimensions').allTextContents()).toEqual(['200×150', '320×240']);
    await page.getByRole('button', { name: 'Move input 2 earlier' }).click();
    await expect.poll(() => page.locator('.thumbnail img').evaluateAll((images) => images.map((image) => image.getAttribute('alt')))).toEqual([
      'Input 1: pattern.png',
      'Input 2: solid.png',
    ]);

    await page.locator('summary', { hasText: 'Mask' }).click();
    const canvas = page.locator('canvas.mask-overlay');
    await expect.poll(() => canvas.evaluate((element: HTMLCanvasElement) => [element.width, element.height])).toEqual([320, 240]);
    // The form above grows with the model's schema; bring the canvas into view before stroking it.
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    if (!box) throw new Error('mask canvas is not visible');
    // A horizontal stroke through the middle third of the image.
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await page.mouse.down();
    for (let step = 1; step <= 10; step += 1) await page.mouse.move(box.x + box.width * (0.3 + 0.04 * step), box.y + box.height * 0.5);
    await page.mouse.up();
    await expect(page.locator('.mask-state').textContent()).resolves.toBe('painted');
    // The "Mask" preview draws the mask itself: white where painted, black elsewhere; Invert swaps them.
    const overlayPixel = (x: number, y: number) => canvas.evaluate((element: HTMLCanvasElement, [left, top]) => element.getContext('2d')?.getImageData(left ?? 0, top ?? 0, 1, 1).data[0], [x, y]);
    await page.getByText('Mask', { exact: true }).click();
    expect([await overlayPixel(160, 120), await overlayPixel(5, 5)]).toEqual([255, 0]);
    await page.getByRole('button', { name: 'Invert' }).click();
    expect([await overlayPixel(160, 120), await overlayPixel(5, 5)]).toEqual([0, 255]);
    await page.getByRole('button', { name: 'Invert' }).click();
    await page.getByText('Overlay', { exact: true }).click();

    await page.getByLabel('Prompt', { exact: true }).fill('make it black and white');
    await page.getByLabel('Resolution', { exact: true }).selectOption('');
    await page.getByText('Sync', { exact: true }).click();
    await screenshot('2-mask-painted');
    await runButton().click();
    const card = page.locator('.run').first();
    await card.locator('.status-succeeded').waitFor();
    const url = await card.locator('figure.result img').getAttribute('src');
    const result = await pixelsOf(url ?? '');
    // The first input's size, grey where painted, colour kept elsewhere: the mask arrived white-on-black at full size.
    expect([result.width, result.height]).toEqual([320, 240]);
    expect(isGrey(result.at(160, 120))).toBe(true);
    expect(isGrey(result.at(10, 10))).toBe(false);
    expect(isGrey(result.at(160, 230))).toBe(false);
    await screenshot('3-edited');
  });

  it('lists both generations in the history with their parameters', async () => {
    await page.getByRole('tab', { name: 'History' }).click();
    const entries = page.locator('.history-entry');
    await expect.poll(() => entries.count()).toBe(2);
    const edit = entries.first();
    await expect(edit.locator('.prompt').textContent()).resolves.toBe('make it black and white');
    const chips = await edit.locator('.chips li').allTextContents();
    expect(chips).toEqual(expect.arrayContaining(['input_image 2 items', 'mask_url inline image']));
    await expect(entries.nth(1).locator('.chips li').allTextContents()).resolves.toContain('resolution 1024x768');
    await screenshot('4-history');
  });

  it('compares two results side by side and with the slider', async () => {
    await page.getByRole('tab', { name: 'Results' }).click();
    const checkboxes = page.locator('.run .compare-checkbox');
    await checkboxes.nth(0).check();
    await checkboxes.nth(1).check();
    await page.getByRole('tab', { name: 'Compare (2)' }).click();
    await expect.poll(() => page.locator('.compare-grid img').count()).toBe(2);
    const slider = page.getByLabel(/^Reveal:/);
    await slider.fill('20');
    await expect(page.locator('.compare-top').evaluate((element: HTMLElement) => element.style.clipPath)).resolves.toBe('inset(0px 80% 0px 0px)');
    await screenshot('5-compare');
  });

  it('copies the API tab\'s cURL, which gives the same kind of result when run', async () => {
    await page.getByRole('tab', { name: 'API' }).click();
    await expect(page.locator('pre[data-language="curl"]').textContent()).resolves.toContain('Authorization: Bearer $DARKROOM_API_KEY');
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    expect(curl).toContain(`${gateway.baseUrl}/api/ai/images/edit`);
    expect(curl).toContain('"mask_url": "data:image/png;base64,');
    await screenshot('6-api');
    const script = join(files, 'copied.sh');
    writeFileSync(script, curl);
    const { stdout } = await run('bash', [script], { env: { ...process.env, DARKROOM_API_KEY: '' }, maxBuffer: 20_000_000 });
    const answer = JSON.parse(stdout) as { images: Array<{ url: string }> };
    const result = await pixelsOf(answer.images[0]?.url ?? '');
    expect([result.width, result.height]).toEqual([320, 240]);
    expect(isGrey(result.at(160, 120))).toBe(true);
    expect(isGrey(result.at(10, 10))).toBe(false);
  });

  it('re-runs history entries with their parameters and reuses an output as the next input', async () => {
    await page.getByRole('tab', { name: 'History' }).click();
    // Three by now: the API tab's cURL run is in the history too.
    await expect.poll(() => page.locator('.history-entry').count()).toBe(3);
    const generation = page.locator('.history-entry', { hasText: 'A lighthouse at dusk' });
    const edit = page.locator('.history-entry', { hasText: 'make it black and white' }).first();
    await generation.getByRole('button', { name: 'Re-run with edits' }).click();
    await expect(page.getByLabel('Prompt', { exact: true }).inputValue()).resolves.toBe('A lighthouse at dusk');
    await expect(page.getByLabel('Resolution', { exact: true }).inputValue()).resolves.toBe('1024x768');
    await expect(page.locator('.thumbnail').count()).resolves.toBe(0);

    await edit.getByRole('button', { name: 'Re-run with edits' }).click();
    await expect(page.getByLabel('Prompt', { exact: true }).inputValue()).resolves.toBe('make it black and white');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Uploaded input images are not stored in history');

    const resultUrl = await generation.locator('figure.result img').getAttribute('src');
    await generation.getByRole('button', { name: 'Use as input' }).click();
    await expect.poll(() => page.locator('.thumbnail img').first().getAttribute('src')).toBe(resultUrl);
    await expect.poll(() => page.locator('.thumbnail .dimensions').first().textContent()).toBe('1024×768');
  });

  it('adds images by paste, drop and URL', async () => {
    const png = Buffer.from(await solidPng(40, 30)).toString('base64');
    await page.evaluate((base64) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(base64), (character) => character.charCodeAt(0))], 'pasted.png', { type: 'image/png' }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true }));
    }, png);
    const dropped = await page.evaluateHandle((base64) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(base64), (character) => character.charCodeAt(0))], 'dropped.png', { type: 'image/png' }));
      return transfer;
    }, png);
    await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: dropped });
    const typed = await page.locator('.thumbnail img').first().getAttribute('src');
    await page.getByLabel('Image URL', { exact: true }).fill(typed ?? '');
    await page.getByRole('button', { name: 'Add URL' }).click();
    await expect.poll(() => page.locator('.thumbnail img').evaluateAll((images) => images.map((image) => image.getAttribute('alt')))).toEqual([
      'Input 1: result',
      'Input 2: pasted.png',
      'Input 3: dropped.png',
      'Input 4: 0.png',
    ]);
    await expect.poll(() => page.locator('.thumbnail .dimensions').allTextContents()).toEqual(['1024×768', '40×30', '40×30', '1024×768']);
  });

  it('streams partial images while queued and cancels a running generation', async () => {
    await page.getByLabel('Model', { exact: true }).selectOption('streaming-preview');
    while ((await page.getByRole('button', { name: 'Remove input 1' }).count()) > 0) await page.getByRole('button', { name: 'Remove input 1' }).click();
    await page.getByLabel('Prompt', { exact: true }).fill('progressive');
    await page.getByText('Queued', { exact: true }).click();
    // A queued run's card appears once the submit returns; until then `.run` still means the previous run.
    const runsBefore = await page.locator('.run').count();
    await runButton().click();
    await expect.poll(() => page.locator('.run').count()).toBe(runsBefore + 1);
    const streaming = page.locator('.run').first();
    await streaming.locator('.status-succeeded').waitFor();
    await expect(streaming.locator('img.partial').count()).resolves.toBe(2);
    await screenshot('7-partials');

    await page.getByLabel('Model', { exact: true }).selectOption('slow-model');
    await page.getByLabel('Prompt', { exact: true }).fill('this takes long');
    const runsBeforeSlow = await page.locator('.run').count();
    await runButton().click();
    await expect.poll(() => page.locator('.run').count()).toBe(runsBeforeSlow + 1);
    const slow = page.locator('.run').first();
    await slow.locator('.status-processing').waitFor();
    await slow.getByRole('button', { name: 'Cancel' }).click();
    await slow.locator('.status-cancelled').waitFor();
    const [latest] = await gateway.jobs.list({ keyId: undefined, admin: true }, { limit: 1 });
    expect(latest?.state).toBe('cancelled');
  });

  it('labels every control and moves between tabs with the keyboard', async () => {
    const unlabelled = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea'))
        .filter((control) => control.type !== 'file' && !control.classList.contains('visually-hidden'))
        .filter((control) => (control.labels?.length ?? 0) === 0 && !control.getAttribute('aria-label'))
        .map((control) => control.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    await page.getByRole('tab', { name: 'API' }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Compare (2)');
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

describe('the Workbench on a server that requires a key', () => {
  let gateway: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    gateway = await startTestGateway({ environment: { DARKROOM_STORE: 'memory' } });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: chromiumArguments });
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('asks for the key on 401, keeps it in localStorage only and then works', async () => {
    const { key } = await gateway.keys.create('browser', new Date());
    for (let attempt = 0; attempt < 100 && (await fetch(`${gateway.baseUrl}/api/ai/models`)).status !== 401; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const page = await browser.newPage();
    await page.goto(`${gateway.baseUrl}/?model=darkroom-local`);
    const dialog = page.getByRole('dialog', { name: 'API key' });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('An API key is required');
    await dialog.getByLabel('Key', { exact: true }).fill(key);
    await page.screenshot({ path: join(artifacts, '8-key-dialog.png') });
    await dialog.getByRole('button', { name: 'Save key' }).click();
    await page.locator('#workbench[aria-busy="false"]').waitFor({ state: 'attached' });
    await expect(page.getByLabel('Model', { exact: true }).inputValue()).resolves.toBe('darkroom-local');
    await expect(page.evaluate(() => localStorage.getItem('darkroom.apiKey'))).resolves.toBe(key);
    await expect(page.getByRole('button', { name: 'API key: set' }).count()).resolves.toBe(1);
  });
});
