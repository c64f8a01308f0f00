import type { JsonValue } from '../../domain/json-value.ts';
import { openAiRequest, oxenRequest, type Dialect, type HttpRequest, type WorkbenchForm } from './build-request.ts';

export type SnippetLanguage = 'curl' | 'python' | 'typescript';
export const snippetLanguages: ReadonlyArray<{ id: SnippetLanguage; label: string }> = [
  { id: 'curl', label: 'cURL' },
  { id: 'python', label: 'Python' },
  { id: 'typescript', label: 'TypeScript' },
];

export type SnippetOptions = {
  /** Where the snippet sends the request: the server's origin, no trailing slash. */
  baseUrl: string;
  dialect: Dialect;
  /** The environment variable holding the key; keys are never written into snippets. */
  keyVariable?: string;
};

/** Bodies bigger than this go through a here-document: Linux caps one command-line argument at 128 KiB. */
const maxInlineBodyBytes = 64 * 1024;

/** The exact request of the current form, as a cURL command, a Python (requests) and a TypeScript (fetch) program. */
export function requestSnippets(form: WorkbenchForm, options: SnippetOptions): Record<SnippetLanguage, string> {
  const request = options.dialect === 'openai' ? openAiRequest(form) : oxenRequest(form);
  return {
    curl: curlSnippet(request, options),
    python: pythonSnippet(request, options),
    typescript: typescriptSnippet(request, options),
  };
}

const keyOf = (options: SnippetOptions) => options.keyVariable ?? 'DARKROOM_API_KEY';
const isQueue = (request: HttpRequest) => request.path === '/api/ai/queue';
const imageExtension = (request: HttpRequest) => (typeof request.body.output_format === 'string' ? request.body.output_format : 'png');

export function curlSnippet(request: HttpRequest, options: SnippetOptions): string {
  const key = keyOf(options);
  const json = JSON.stringify(request.body, null, 2);
  const lines = [
    `curl -X ${request.method} ${shellWord(options.baseUrl + request.path)} \\`,
    '  -H "Content-Type: application/json" \\',
    `  -H "Authorization: Bearer $${key}" \\`,
  ];
  if (new TextEncoder().encode(json).byteLength > maxInlineBodyBytes) lines.push(`  --data-binary @- <<'JSON'`, json, 'JSON');
  else lines.push(`  -d ${shellQuote(json)}`);
  if (options.dialect === 'openai') {
    lines.push('', `# Images come back base64-encoded: append  | jq -r '.data[0].b64_json' | base64 -d > image.${imageExtension(request)}`);
  } else if (isQueue(request)) {
    lines.push(
      '',
      '# The answer lists generation ids; poll each until its status is succeeded, failed or cancelled:',
      `# curl -H "Authorization: Bearer $${key}" ${options.baseUrl}/api/ai/queue/GENERATION_ID`,
    );
  }
  return lines.join('\n');
}

export function pythonSnippet(request: HttpRequest, options: SnippetOptions): string {
  const header = `{\n    "Content-Type": "application/json",\n    "Authorization": f"Bearer {os.environ.get('${keyOf(options)}', '')}",\n}`;
  const body = pythonLiteral(request.body, 0);
  if (isQueue(request)) {
    return [
      'import os',
      'import time',
      'import requests',
      '',
      `BASE_URL = ${JSON.stringify(options.baseUrl)}`,
      `HEADERS = ${header}`,
      '',
      `enqueue = requests.post(f"{BASE_URL}${request.path}", headers=HEADERS, json=${body})`,
      'enqueue.raise_for_status()',
      '',
      'for generation in enqueue.json()["generations"]:',
      '    generation_id = generation["generation_id"]',
      '    while True:',
      '        data = requests.get(f"{BASE_URL}/api/ai/queue/{generation_id}", headers=HEADERS).json()',
      '        if data["status"] in {"succeeded", "failed", "cancelled"}:',
      '            break',
      '        time.sleep(1)',
      '    if data["status"] == "succeeded":',
      '        print(f"Result: {data[\'result_url\']}")',
      '    else:',
      '        print(f"Generation {data[\'status\']}: {data.get(\'error_message\')}")',
    ].join('\n');
  }
  const post = [
    'response = requests.post(',
    `    ${JSON.stringify(options.baseUrl + request.path)},`,
    `    headers=${indent(header, 4)},`,
    `    json=${pythonLiteral(request.body, 1)},`,
    ')',
    'response.raise_for_status()',
  ];
  if (options.dialect === 'openai') {
    const extension = imageExtension(request);
    return [
      'import base64',
      'import os',
      'import requests',
      '',
      ...post,
      '',
      'for index, image in enumerate(response.json()["data"]):',
      `    with open(f"image-{index}.${extension}", "wb") as file:`,
      '        file.write(base64.b64decode(image["b64_json"]))',
      `    print(f"image-{index}.${extension}")`,
    ].join('\n');
  }
  return ['import os', 'import requests', '', ...post, 'print(response.json())'].join('\n');
}

export function typescriptSnippet(request: HttpRequest, options: SnippetOptions): string {
  const headers = `{\n  'Content-Type': 'application/json',\n  Authorization: \`Bearer \${process.env.${keyOf(options)} ?? ''}\`,\n}`;
  const body = JSON.stringify(request.body, null, 2);
  const failure = (name: string) => `if (!${name}.ok) throw new Error(\`darkroom answered \${${name}.status}: \${await ${name}.text()}\`);`;
  if (isQueue(request)) {
    return [
      `const baseUrl = ${jsString(options.baseUrl)};`,
      `const headers = ${headers};`,
      '',
      `const enqueue = await fetch(\`\${baseUrl}${request.path}\`, {`,
      "  method: 'POST',",
      '  headers,',
      `  body: JSON.stringify(${indent(body, 2)}),`,
      '});',
      failure('enqueue'),
      'const { generations } = (await enqueue.json()) as { generations: Array<{ generation_id: string }> };',
      '',
      'type Generation = { status: string; result_url: string | null; error_message: string | null };',
      'for (const { generation_id } of generations) {',
      '  let generation: Generation;',
      '  do {',
      '    await new Promise((resolve) => setTimeout(resolve, 1000));',
      '    generation = (await (await fetch(`${baseUrl}/api/ai/queue/${generation_id}`, { headers })).json()) as Generation;',
      "  } while (generation.status === 'queued' || generation.status === 'processing');",
      "  console.log(generation.status === 'succeeded' ? generation.result_url : `${generation.status}: ${generation.error_message}`);",
      '}',
    ].join('\n');
  }
  const post = [
    `const response = await fetch(${jsString(options.baseUrl + request.path)}, {`,
    "  method: 'POST',",
    `  headers: ${indent(headers, 2)},`,
    `  body: JSON.stringify(${indent(body, 2)}),`,
    '});',
    failure('response'),
  ];
  if (options.dialect === 'openai') {
    const extension = imageExtension(request);
    return [
      "import { writeFile } from 'node:fs/promises';",
      '',
      ...post,
      'const { data } = (await response.json()) as { data: Array<{ b64_json: string }> };',
      'for (const [index, image] of data.entries()) {',
      `  await writeFile(\`image-\${index}.${extension}\`, Buffer.from(image.b64_json, 'base64'));`,
      `  console.log(\`image-\${index}.${extension}\`);`,
      '}',
    ].join('\n');
  }
  return [...post, 'console.log(await response.json());'].join('\n');
}

/** A JSON value as a Python literal (True/False/None), indented by 4 spaces per level. */
export function pythonLiteral(value: JsonValue, level: number): string {
  const pad = (depth: number) => '    '.repeat(depth);
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((entry) => pad(level + 1) + pythonLiteral(entry, level + 1)).join(',\n')}\n${pad(level)}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([name, entry]) => `${pad(level + 1)}${JSON.stringify(name)}: ${pythonLiteral(entry, level + 1)}`).join(',\n')}\n${pad(level)}}`;
}

/** Single-quoted for POSIX shells: a quote inside becomes '\''. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const shellWord = (text: string) => (/^[\w:/.?=&%~+@,-]+$/.test(text) ? text : shellQuote(text));
const jsString = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const indent = (text: string, spaces: number) => text.split('\n').join(`\n${' '.repeat(spaces)}`);

/**
 * Shortens data URIs for display (`data:image/png;base64,iVBORw0KGgo…[12 KB]`); the copied snippet keeps them whole.
 */
export function abbreviateDataUris(text: string, keep = 16): string {
  return text.replace(/data:([\w/+.-]+);base64,([A-Za-z0-9+/=]+)/g, (match, mediaType: string, data: string) => {
    if (data.length <= keep * 2) return match;
    const kilobytes = Math.max(1, Math.round((data.length * 3) / 4 / 1024));
    return `data:${mediaType};base64,${data.slice(0, keep)}…[${kilobytes} KB]`;
  });
}
