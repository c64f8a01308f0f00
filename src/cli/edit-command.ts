import type { CommandContext } from './main.ts';
import { runImageCommand } from './run-image-command.ts';

export const editHelp = `Usage: darkroom edit <image…> "<prompt>" [options]

Edits one or more images (files or http(s) URLs; the prompt comes last), writes the results to files and
prints their paths (one per line).

Options:
      --mask FILE         Mask for the first image: white = edit, black = keep, same size as the image
  -m, --model ID          Model (default gpt-image-2-edit; see \`darkroom models list\`)
  -s, --size SIZE         Resolution: auto (the first image's size, default), presets, 1K, 2K, 4K
      --aspect-ratio R    With 1K/2K/4K: 1:1, 16:9, …, auto (follows the first image)
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
  darkroom edit photo.png "make it black and white" -o photo-bw.png
  darkroom edit photo.png --mask sky.png "make it warmer" --format webp
  darkroom edit left.png right.png "side by side" --out ./out/`;

export function editCommand(context: CommandContext): Promise<number> {
  return runImageCommand(context, 'edit', editHelp);
}
