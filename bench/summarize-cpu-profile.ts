// Reads a V8 .cpuprofile (from `node --cpu-prof` or `npm run bench -- --profile`) and prints where the time
// went: self time per function, self time per file, and inclusive time per function (each function counted
// once per sample, however deep the recursion).
//   node --import tsx bench/summarize-cpu-profile.ts <file.cpuprofile> [rows]
import { readFileSync } from 'node:fs';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; startTime: number; endTime: number };

const [path, rowsArgument] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: node --import tsx bench/summarize-cpu-profile.ts <file.cpuprofile> [rows]\n');
  process.exit(2);
}
const rows = Number(rowsArgument ?? '30');
const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

const shortUrl = (url: string) => url.replace(/^.*?\/(node_modules\/|src\/|bench\/)/, '$1');
const label = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;

const samplesPerNode = new Map<number, number>();
for (const id of profile.samples) samplesPerNode.set(id, (samplesPerNode.get(id) ?? 0) + 1);
const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusive = new Map<string, number>();
const add = (map: Map<string, number>, key: string, count: number) => map.set(key, (map.get(key) ?? 0) + count);
for (const [id, count] of samplesPerNode) {
  const node = nodes.get(id);
  if (!node) continue;
  add(selfByFunction, label(node), count);
  add(selfByFile, shortUrl(node.callFrame.url) || node.callFrame.functionName, count);
  const seen = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
    const ancestor = nodes.get(current);
    if (!ancestor) break;
    const name = label(ancestor);
    if (!seen.has(name)) add(inclusive, name, count);
    seen.add(name);
  }
}

const total = profile.samples.length;
const wallMs = (profile.endTime - profile.startTime) / 1000;
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n== ${title} (${total} samples over ${wallMs.toFixed(0)} ms)\n`);
  for (const [name, count] of [...map].sort((left, right) => right[1] - left[1]).slice(0, rows)) {
    process.stdout.write(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
print('self time by function', selfByFunction);
print('self time by file', selfByFile);
print('inclusive time by function', inclusive);
