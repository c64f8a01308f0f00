import type { JsonValue } from '../../domain/json-value.ts';
import type { JsonSchema } from './api-types.ts';

type FieldBase = {
  name: string;
  label: string;
  description: string | undefined;
  required: boolean;
  /** The server's default; the form shows it and leaves the field out of requests while it is unchanged. */
  defaultValue: JsonValue | undefined;
};

export type FieldSpec =
  | (FieldBase & { kind: 'select'; options: string[] })
  | (FieldBase & { kind: 'integer' | 'number'; minimum: number | undefined; maximum: number | undefined; control: 'slider' | 'number' })
  | (FieldBase & { kind: 'boolean' })
  | (FieldBase & { kind: 'text'; multiline: boolean; maxLength: number | undefined });

/** What a model's request schema asks for, split into the controls the Workbench draws. */
export type RequestForm = {
  prompt: { description: string | undefined; maxLength: number | undefined; required: boolean } | undefined;
  inputImages: { description: string | undefined; required: boolean; maxItems: number } | undefined;
  mask: { description: string | undefined } | undefined;
  /** Every other property, in schema order. */
  fields: FieldSpec[];
};

/** Properties with a dedicated control (or fixed by the Workbench). */
const dedicated = new Set(['model', 'prompt', 'input_image', 'mask_url']);
/** Ranges wider than this are typed, not slid. */
const maxSliderSteps = 200;

/**
 * Turns a model's `request_schema` into form controls: enums become selects, bounded integers sliders,
 * other numbers number inputs, strings text inputs. A new model's parameters need no Workbench code.
 */
export function describeRequestSchema(schema: JsonSchema | undefined): RequestForm {
  const properties = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  const fields: FieldSpec[] = [];
  for (const [name, property] of Object.entries(properties)) {
    if (dedicated.has(name)) continue;
    const field = describeField(name, property, required.has(name));
    if (field) fields.push(field);
  }
  const prompt = properties.prompt ? unwrapNullable(properties.prompt).schema : undefined;
  const inputImage = properties.input_image;
  return {
    prompt: prompt ? { description: properties.prompt?.description ?? prompt.description, maxLength: prompt.maxLength, required: required.has('prompt') } : undefined,
    inputImages: inputImage
      ? { description: inputImage.description ?? unwrapNullable(inputImage).schema.description, required: required.has('input_image'), maxItems: maxItemsOf(inputImage) }
      : undefined,
    mask: properties.mask_url ? { description: properties.mask_url.description ?? unwrapNullable(properties.mask_url).schema.description } : undefined,
    fields,
  };
}

export function describeField(name: string, property: JsonSchema, required: boolean): FieldSpec | undefined {
  const { schema, nullable } = unwrapNullable(property);
  const base: FieldBase = {
    name,
    label: labelFor(name, schema.title ?? property.title),
    description: property.description ?? schema.description,
    required: required && !nullable,
    defaultValue: property.default ?? schema.default,
  };
  if (schema.enum) {
    const seen = new Set<string>();
    // `1K` and `1k` mean the same; offer one of them.
    const options = schema.enum.map(String).filter((option) => !seen.has(option.toLowerCase()) && seen.add(option.toLowerCase()));
    return { ...base, kind: 'select', options };
  }
  const type = (Array.isArray(schema.type) ? schema.type.find((entry) => entry !== 'null') : schema.type) ?? 'unknown';
  switch (type) {
    case 'integer':
    case 'number': {
      const minimum = schema.minimum ?? schema.exclusiveMinimum;
      const maximum = schema.maximum ?? schema.exclusiveMaximum;
      const bounded = minimum !== undefined && maximum !== undefined && Number.isSafeInteger(minimum) && Number.isSafeInteger(maximum);
      const narrow = bounded && maximum - minimum <= maxSliderSteps && type === 'integer';
      // A slider always holds a value, so only fields with a default (or required ones) get one.
      const control = narrow && (base.defaultValue !== undefined || base.required) ? 'slider' : 'number';
      const sensible = (value: number | undefined) => (value !== undefined && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : undefined);
      return { ...base, kind: type, minimum: sensible(minimum), maximum: sensible(maximum), control };
    }
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'string':
      return { ...base, kind: 'text', multiline: (schema.maxLength ?? 0) > 500, maxLength: schema.maxLength };
    default:
      // Arrays and objects have no generic control; the API tab still shows how to send them.
      return undefined;
  }
}

/** `anyOf: [X, {type: 'null'}]` (zod's `.nullish()`) → X, nullable. Nested unions keep their first branch. */
export function unwrapNullable(property: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const branches = property.anyOf ?? property.oneOf;
  if (!branches) return { schema: property, nullable: Array.isArray(property.type) && property.type.includes('null') };
  const nonNull = branches.filter((branch) => branch.type !== 'null');
  const nullable = nonNull.length < branches.length;
  const first = nonNull[0];
  if (!first) return { schema: {}, nullable };
  const inner = nonNull.length === 1 ? unwrapNullable(first) : { schema: first, nullable: false };
  return { schema: { ...inner.schema, description: inner.schema.description ?? property.description }, nullable: nullable || inner.nullable };
}

function maxItemsOf(property: JsonSchema): number {
  const stack: JsonSchema[] = [property];
  while (stack.length > 0) {
    const next = stack.pop();
    if (!next) break;
    if (next.type === 'array' && next.maxItems !== undefined) return next.maxItems;
    stack.push(...(next.anyOf ?? []), ...(next.oneOf ?? []));
  }
  return 16;
}

/** `output_format` → `Output format`. */
export function labelFor(name: string, title?: string): string {
  if (title) return title;
  const words = name.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A control's raw value as the request value: undefined when empty or equal to the default (so requests
 * carry only what the user chose), numbers parsed, and `undefined` for text a number field cannot hold.
 */
export function fieldValue(field: FieldSpec, raw: string | boolean): JsonValue | undefined {
  let value: JsonValue | undefined;
  switch (field.kind) {
    case 'boolean':
      value = raw === true;
      break;
    case 'integer':
    case 'number': {
      const text = String(raw).trim();
      if (text === '') return undefined;
      const parsed = Number(text);
      value = Number.isFinite(parsed) ? parsed : undefined;
      break;
    }
    case 'select':
    case 'text':
      value = String(raw) === '' ? undefined : String(raw);
      break;
  }
  return value === field.defaultValue ? undefined : value;
}
