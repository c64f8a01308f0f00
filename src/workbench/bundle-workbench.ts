import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export type BundledAsset = {
  body: Uint8Array;
  /** Pre-compressed once, so serving costs no CPU per request. */
  gzipped: Uint8Array;
  mediaType: string;
  /** Strong ETag from the content hash. */
  etag: string;
};

export type WorkbenchBundle = {
  script: BundledAsset;
  style: BundledAsset;
  /** Short content hash of both assets, used as the cache-busting `?v=` in the page. */
  version: string;
};

const appDirectory = fileURLToPath(new URL('./app/', import.meta.url));

/** Bundles the Workbench sources (TypeScript + CSS) in memory with esbuild: no build step, nothing written to disk. */
export async function bundleWorkbench(options: { minify?: boolean } = {}): Promise<WorkbenchBundle> {
  const result = await build({
    absWorkingDir: appDirectory,
    entryPoints: [
      { in: 'main.ts', out: 'app' },
      { in: 'styles.css', out: 'app' },
    ],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    target: ['es2022', 'chrome111', 'firefox115', 'safari16'],
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const style = result.outputFiles.find((file) => file.path.endsWith('.css'));
  if (!script || !style) throw new Error('esbuild produced no Workbench script or stylesheet');
  const scriptAsset = toAsset(script.contents, 'text/javascript; charset=utf-8');
  const styleAsset = toAsset(style.contents, 'text/css; charset=utf-8');
  const version = createHash('sha256').update(scriptAsset.etag).update(styleAsset.etag).digest('hex').slice(0, 12);
  return { script: scriptAsset, style: styleAsset, version };
}

function toAsset(body: Uint8Array, mediaType: string): BundledAsset {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
  return { body, gzipped: new Uint8Array(gzipSync(body, { level: 9 })), mediaType, etag: `"${hash}"` };
}
