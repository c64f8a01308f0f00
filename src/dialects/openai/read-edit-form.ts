import type { Context } from 'hono';
import { GatewayError } from '../../domain/gateway-error.ts';
import type { ImageSource } from '../../domain/image-request.ts';
import { maxEditImages } from './openai-wire-schemas.ts';

export type EditForm = {
  /** Scalar fields as sent (strings); see `coerceFormFields`. */
  fields: Record<string, string>;
  images: ImageSource[];
  mask: ImageSource | undefined;
};

/** `image`, `image[]` (openai-node, curl docs) and `image[0]` (some proxies) all name input images. */
const imagePartName = /^image(\[\d*\])?$/;
const maskPartName = /^mask(\[\])?$/;

/**
 * The parts of a multipart `/v1/images/edits` body, in the order they were sent: every image part (however
 * it is spelled) becomes `image.<n>`, so the mask applies to the first and error messages name the part.
 */
export async function readEditForm(form: FormData): Promise<EditForm> {
  const fields: Record<string, string> = {};
  const images: ImageSource[] = [];
  let mask: ImageSource | undefined;
  // forEach is the iteration the DOM lib types declare (no DOM.Iterable); parts keep their wire order.
  const parts: Array<[string, FormDataEntryValue]> = [];
  form.forEach((value, name) => parts.push([name, value]));
  for (const [name, value] of parts) {
    if (imagePartName.test(name)) {
      if (typeof value === 'string') throw GatewayError.invalid(`image.${images.length}`, 'must be a file upload (png, jpeg or webp)');
      images.push({ type: 'bytes', data: new Uint8Array(await value.arrayBuffer()), field: `image.${images.length}` });
      if (images.length > maxEditImages) throw GatewayError.invalid('image', `at most ${maxEditImages} images are allowed`);
    } else if (maskPartName.test(name)) {
      if (mask) throw GatewayError.invalid('mask', 'only one mask may be sent');
      if (typeof value === 'string') throw GatewayError.invalid('mask', 'must be a PNG file upload');
      mask = { type: 'bytes', data: new Uint8Array(await value.arrayBuffer()), field: 'mask' };
    } else if (typeof value === 'string') {
      fields[name] = value;
    } else {
      // A file under another name (e.g. `markup`) would otherwise be silently dropped.
      throw GatewayError.invalid(name, 'file uploads are accepted only as image and mask');
    }
  }
  return { fields, images, mask };
}

/** The request's form (multipart or url-encoded); an unparsable one is a 400 naming `body`. */
export async function readFormData(context: Context): Promise<FormData> {
  try {
    return await context.req.formData();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('invalid_request', 'body: the multipart form could not be parsed', { field: 'body', cause: error });
  }
}
