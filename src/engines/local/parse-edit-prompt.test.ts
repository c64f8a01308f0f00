import { describe, expect, it } from 'vitest';
import { localEditVocabulary, localLayoutVocabulary } from './edit-vocabulary.ts';
import { parseEditPrompt } from './parse-edit-prompt.ts';

const names = (prompt: string) => parseEditPrompt(prompt).operations.map((operation) => operation.operation);

describe('parseEditPrompt', () => {
  it('has a vocabulary of at least 18 operations and 4 layouts, each with example phrasings', () => {
    expect(localEditVocabulary.length).toBeGreaterThanOrEqual(18);
    expect(new Set(localEditVocabulary.map((entry) => entry.operation)).size).toBe(localEditVocabulary.length);
    expect(localLayoutVocabulary.map((entry) => entry.operation)).toEqual(['side-by-side', 'stack', 'grid', 'inset']);
    for (const entry of localEditVocabulary) {
      expect(entry.phrasings.length).toBeGreaterThanOrEqual(3);
      expect(entry.description).not.toBe('');
    }
  });

  it('understands every documented phrasing as exactly its own operation', () => {
    for (const entry of localEditVocabulary) {
      for (const phrasing of entry.phrasings) expect({ phrasing, parsed: names(phrasing) }).toEqual({ phrasing, parsed: [entry.operation] });
    }
    for (const entry of localLayoutVocabulary) {
      for (const phrasing of entry.phrasings) expect({ phrasing, layout: parseEditPrompt(phrasing).layout }).toEqual({ phrasing, layout: entry.operation });
    }
  });

  it('treats synonyms alike, case-insensitively, inside sentences', () => {
    for (const prompt of ['Make it GRAYSCALE', 'convert to greyscale please', 'black and white photo', 'B&W', 'make it monochrome']) {
      expect(names(prompt)).toEqual(['grayscale']);
    }
    expect(names('give it a warm golden hour feel')).toEqual(['warm']);
    expect(names('I want moonlight blue tones')).toEqual(['cool']);
    expect(names('blur it. then blur it again')).toEqual(['blur', 'blur']);
  });

  it('keeps prompt order', () => {
    expect(names('invert it, then mirror it and finally blur')).toEqual(['invert', 'mirror', 'blur']);
    expect(names('blur, then invert')).toEqual(['blur', 'invert']);
  });

  it('prefers the longer phrase where phrasings overlap', () => {
    expect(names('flip it horizontally')).toEqual(['mirror']);
    expect(names('flip vertically')).toEqual(['flip']);
    expect(names('darken the corners')).toEqual(['vignette']);
    expect(names('make the background transparent')).toEqual(['remove-background']);
    expect(names('make it black and white')).toEqual(['grayscale']);
  });

  it('scales strength with modifiers before or after the edit', () => {
    const parsed = parseEditPrompt('slightly brighten it, blur it a lot and very strongly sharpen');
    expect(parsed.operations.map((operation) => [operation.operation, operation.strength])).toEqual([
      ['brighten', 0.5],
      ['blur', 1.6],
      ['sharpen', 1.6],
    ]);
    expect(parseEditPrompt('extremely pixelated').operations[0]?.strength).toBe(2.2);
    expect(parseEditPrompt('less contrast').operations[0]?.strength).toBe(-1);
  });

  it('reads rotation angles and directions', () => {
    const degrees = (prompt: string) => parseEditPrompt(prompt).operations.map((operation) => (operation.operation === 'rotate' ? operation.degrees : undefined));
    expect(degrees('rotate')).toEqual([90]);
    expect(degrees('rotate 180 degrees')).toEqual([180]);
    expect(degrees('rotate left')).toEqual([270]);
    expect(degrees('turn it 90° counter-clockwise')).toEqual([270]);
    expect(degrees('rotate it by 45°')).toEqual([45]);
  });

  it('reads text overlays with position and colour, ignoring edit words inside the quotes', () => {
    const [overlay, ...rest] = parseEditPrompt('add the text "Black and white, blurry" at the top in red, then sepia').operations;
    expect(overlay).toEqual({ operation: 'text', strength: 1, text: 'Black and white, blurry', position: 'top', colour: { red: 224, green: 32, blue: 32 } });
    expect(rest.map((operation) => operation.operation)).toEqual(['sepia']);
    expect(parseEditPrompt("write 'Hi' in the middle").operations[0]).toMatchObject({ text: 'Hi', position: 'center', colour: undefined });
    expect(parseEditPrompt('caption “Summer”').operations[0]).toMatchObject({ text: 'Summer', position: 'bottom' });
  });

  it('reads colours for background, border and tint', () => {
    expect(parseEditPrompt('fill the background with light blue').operations[0]).toMatchObject({ operation: 'background', colour: { red: 173, green: 216, blue: 230 } });
    expect(parseEditPrompt('add a thin #ff0000 border').operations[0]).toMatchObject({ operation: 'border', strength: 0.5, colour: { red: 255, green: 0, blue: 0 } });
    expect(parseEditPrompt('tint it purple').operations[0]).toMatchObject({ operation: 'tint', colour: { red: 123, green: 47, blue: 190 } });
  });

  it('finds layouts alongside edits', () => {
    expect(parseEditPrompt('put them side by side and make it sepia')).toEqual({ operations: [{ operation: 'sepia', strength: 1 }], layout: 'side-by-side' });
    expect(parseEditPrompt('stack them on top of each other').layout).toBe('stack');
    expect(parseEditPrompt('make a collage').layout).toBe('grid');
  });

  it('finds nothing in prompts without edit words', () => {
    expect(parseEditPrompt('a cat wearing a tiny hat on the moon')).toEqual({ operations: [], layout: undefined });
    expect(parseEditPrompt('')).toEqual({ operations: [], layout: undefined });
  });
});
