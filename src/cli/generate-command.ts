import type { CommandContext } from './main.ts';
import { runImageCommand } from './run-image-command.ts';

export const generateHelp = `Usage: darkroom generate "<prompt>" [options]

Generates images from a prompt, writes them to files and prints their paths (one per line).

Options:
  -m, --model ID          Model (default gpt-image-2; see \`darkroom models list\`)
  -s, --size SIZE         Resolution: auto, 1024x768, 1024x1024, 1024x1536, 1920x1080, 2560x1440, 3840x2160, 1K, 2K, 4K
      --aspect-ratio R    With 1K/2K/4K: 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3, 21:9, 9:21, 4:5, 5:4, auto
  -q, --quality Q         auto, low, medium, high
  -f, --format F          png, jpeg, webp
  -n, --count N           Images per generation, 1-4
      --seed N            Seed for deterministic variation
      --background B      auto, transparent, opaque
      --compression N     0-100 for jpeg and webp
  -o, --out DIR|FILE      Directory (default .) or file name for the images
      --server URL        darkroom server (default: DARKROOM_URL; none = run in-process)
      --json              Print a JSON summary on stdout instead of paths; no progress output
  -h, --help              Show this help

Environment: DARKROOM_URL, DARKROOM_API_KEY (sent as a Bearer key).

Examples:
  darkroom generate "a lighthouse at dusk, poster style" --size 1024x1024 -o lighthouse.png
  DARKROOM_URL=http://localhost:8080 darkroom generate "three variations" -n 3 --out shots/`;

export function generateCommand(context: CommandContext): Promise<number> {
  return runImageCommand(context, 'generate', generateHelp);
}
