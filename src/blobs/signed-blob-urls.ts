import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Absolute, expiring download URLs for blobs served by darkroom itself: `/files/<key>?expires=<unix>&signature=<hmac>`.
 * The signature is the capability, so a URL can be handed to browsers and other services without a key.
 */
export class SignedBlobUrls {
  constructor(
    private readonly options: { publicUrl: () => string; secret: string; defaultTtlSeconds: number; now: () => Date },
  ) {}

  sign(blobKey: string, ttlSeconds = this.options.defaultTtlSeconds): string {
    const expires = Math.floor(this.options.now().getTime() / 1000) + ttlSeconds;
    const path = `/files/${blobKey.split('/').map(encodeURIComponent).join('/')}`;
    return `${this.options.publicUrl()}${path}?expires=${expires}&signature=${this.signature(blobKey, expires)}`;
  }

  /** True when the signature matches the key and has not expired. */
  verify(blobKey: string, expires: string | undefined, signature: string | undefined): boolean {
    if (!expires || !signature || !/^\d{1,12}$/.test(expires)) return false;
    if (Number(expires) < this.options.now().getTime() / 1000) return false;
    const expected = Buffer.from(this.signature(blobKey, Number(expires)));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /**
   * The blob key behind one of our own valid signed URLs (uploads handed to clients, earlier results), so
   * inputs that point back at darkroom are read from the store instead of fetched over the network.
   */
  resolveOwnUrl(url: string): string | undefined {
    const base = this.options.publicUrl();
    if (!url.startsWith(`${base}/files/`)) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    const key = decodeURIComponent(parsed.pathname.slice(new URL(`${base}/files/`).pathname.length));
    const valid = this.verify(key, parsed.searchParams.get('expires') ?? undefined, parsed.searchParams.get('signature') ?? undefined);
    return valid ? key : undefined;
  }

  /** Absolute URL of a darkroom path (status URLs, upload URLs). */
  absolute(path: string): string {
    return `${this.options.publicUrl()}${path}`;
  }

  private signature(blobKey: string, expires: number): string {
    return createHmac('sha256', this.options.secret).update(`${blobKey}\n${expires}`).digest('base64url');
  }
}
