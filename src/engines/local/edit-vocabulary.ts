import { colourPattern as C, findColour } from './named-colours.ts';
import type { Rgb } from './rgba-image.ts';

export type TextPosition = 'top' | 'center' | 'bottom';

export type AdjustmentName =
  | 'grayscale' | 'sepia' | 'invert' | 'blur' | 'sharpen' | 'brighten' | 'darken' | 'contrast' | 'warm' | 'cool'
  | 'saturate' | 'desaturate' | 'pixelate' | 'mirror' | 'flip' | 'vignette' | 'posterize' | 'enhance' | 'remove-background'
  | 'cinematic';

/** One parsed edit. `strength` is 1 by default, ~0.5 for "slightly", ~1.6 for "strongly"; negative contrast lowers it. */
export type EditOperation =
  | { operation: AdjustmentName; strength: number }
  | { operation: 'rotate'; strength: number; degrees: number }
  | { operation: 'text'; strength: number; text: string; position: TextPosition; colour: Rgb | undefined }
  | { operation: 'background'; strength: number; colour: Rgb }
  | { operation: 'border'; strength: number; colour: Rgb }
  | { operation: 'tint'; strength: number; colour: Rgb };

export type EditOperationName = EditOperation['operation'];

export type LayoutName = 'side-by-side' | 'stack' | 'grid' | 'inset';

export type VocabularyEntry = { operation: string; phrasings: string[]; description: string };

/** A phrase family: `pattern` is matched case-insensitively between word boundaries; `build` reads its parameters. */
export type OperationMatcher = VocabularyEntry & {
  operation: EditOperationName;
  pattern: string;
  build(matchText: string, strength: number): EditOperation | undefined;
};

export type LayoutMatcher = VocabularyEntry & { operation: LayoutName; pattern: string };

// "it", "the photo", "the whole image"… between a verb and its modifier.
const OBJ = String.raw`(?:\s+(?:it|this|that|everything|the\s+(?:whole\s+|entire\s+)?(?:image|photo|picture|colou?rs?)))?`;
const QUOTE = String.raw`(?:"[^"\n]{1,300}"|“[^”\n]{1,300}”|(?<!\w)'[^'\n]{1,300}'(?!\w)|‘[^’\n]{1,300}’)`;
const POSITION = String.raw`(?:top|bottom|cent(?:er|re)d?|middle|upper|lower)(?:\s+(?:edge|part|half|area))?`;
const SIZE = String.raw`(?:big|large|huge|small|tiny|little|bold)`;
const TEXT_NOUN = String.raw`(?:text|caption|words?|title|label|headline|message|quote|slogan|banner|tagline|phrase)`;

const adjustment =
  (operation: AdjustmentName) =>
  (_matchText: string, strength: number): EditOperation => ({ operation, strength });

const quotedText = (matchText: string): string | undefined => {
  const match = new RegExp(QUOTE).exec(matchText);
  return match ? match[0].slice(1, -1).trim() : undefined;
};

function buildText(matchText: string, strength: number): EditOperation | undefined {
  const text = quotedText(matchText);
  if (text === undefined || text === '') return undefined;
  // Colour and position words come from the phrase around the quote, never from the quoted text itself.
  const around = matchText.replace(new RegExp(QUOTE), ' ');
  const position: TextPosition = /\b(?:top|upper)\b/i.test(around) ? 'top' : /\b(?:cent(?:er|re)d?|middle)\b/i.test(around) ? 'center' : 'bottom';
  const sized = /\b(?:big|large|huge|bold)\b/i.test(around) ? 1.5 : /\b(?:small|tiny|little)\b/i.test(around) ? 0.6 : strength;
  return { operation: 'text', strength: sized, text, position, colour: findColour(around) };
}

function buildRotate(matchText: string): EditOperation | undefined {
  const number = /(-?\d{1,3})/.exec(matchText);
  const counter = /\b(?:counter[- ]?clockwise|anti[- ]?clockwise|left|ccw)\b/i.test(matchText);
  const degrees = (number ? Number(number[1]) : 90) * (counter ? -1 : 1);
  const normalised = ((degrees % 360) + 360) % 360;
  return normalised === 0 ? undefined : { operation: 'rotate', strength: 1, degrees: normalised };
}

function buildBorder(matchText: string, strength: number): EditOperation {
  const thickness = /\b(?:thin|narrow|slim)\b/i.test(matchText) ? 0.5 : /\b(?:thick|wide|heavy|bold|fat)\b/i.test(matchText) ? 1.8 : strength;
  return { operation: 'border', strength: thickness, colour: findColour(matchText) ?? { red: 255, green: 255, blue: 255 } };
}

const withColour =
  (operation: 'background' | 'tint') =>
  (matchText: string, strength: number): EditOperation | undefined => {
    const colour = findColour(matchText);
    return colour ? { operation, strength, colour } : undefined;
  };

/**
 * Every edit the local engine understands, in priority order: when two phrasings overlap the longer one
 * wins, and on equal length the entry listed first ("blue tones" is cool, not a blue tint).
 */
export const operationMatchers: readonly OperationMatcher[] = [
  {
    operation: 'text',
    description: 'Overlay quoted text; position top / center / bottom (default bottom), optional colour (default white with a dark outline)',
    phrasings: ['add the text "Hello"', "write 'Happy birthday' at the top", 'caption "Summer 2024" in yellow', 'with the words "SALE" in the center'],
    pattern: String.raw`(?:(?:add(?:ing)?|put|write|place|overlay|insert|print|stamp|type|caption(?:ed)?|label(?:l?ed)?|title[d]?|with)${OBJ}(?:\s+(?:with|a|an|the|some))?(?:\s+${SIZE})?(?:\s+${C})?(?:\s+${SIZE})?(?:\s+${TEXT_NOUN})?(?:\s+(?:in\s+${C}|(?:at|on|to|across)\s+the\s+${POSITION}))?(?:\s+(?:saying|that\s+says|which\s+says|reading|that\s+reads|of))?|${TEXT_NOUN}|saying|says|reading|reads)\s*:?\s*${QUOTE}(?:\s*,?\s*(?:(?:in|with|using)\s+(?:a\s+)?${C}(?:\s+(?:text|letters|font|colou?r|ink|type))?|(?:(?:at|on|in|across|along|to|near)\s+)?(?:the\s+)?(?:very\s+)?${POSITION}(?:\s+of\s+(?:it|the\s+(?:image|photo|picture)))?|(?:in\s+)?${SIZE}(?:\s+(?:letters|text|font|type))?))*`,
    build: buildText,
  },
  {
    operation: 'grayscale',
    description: 'Convert to black and white (luminance)',
    phrasings: ['grayscale', 'greyscale', 'black and white', 'b&w', 'monochrome', 'remove the colours', 'noir'],
    pattern: String.raw`gr[ae]y[- ]?scaled?|black\s*(?:and|&|n'?)\s*white|b\s?&\s?w|b/w|monochrom(?:e|atic)|noir|colou?rless|(?:remove|drain)\s+(?:the\s+|all\s+)?colou?rs?`,
    build: adjustment('grayscale'),
  },
  {
    operation: 'sepia',
    description: 'Brown-toned old-photo look',
    phrasings: ['sepia', 'vintage', 'old photo', 'old-fashioned', 'antique'],
    pattern: String.raw`sepia|vintage|old[- ](?:photo(?:graph)?|fashioned|timey|school)|antique|aged\s+photo|daguerreotype`,
    build: adjustment('sepia'),
  },
  {
    operation: 'invert',
    description: 'Invert the colours (photographic negative)',
    phrasings: ['invert', 'invert the colors', 'negative', 'inverted'],
    pattern: String.raw`invert(?:ed)?${OBJ}|negative|colou?r\s+inversion|inverse(?:\s+colou?rs?)?`,
    build: adjustment('invert'),
  },
  {
    operation: 'blur',
    description: 'Gaussian blur',
    phrasings: ['blur', 'blurry', 'soften', 'out of focus', 'soft focus', 'bokeh'],
    pattern: String.raw`blur(?:red|ry|ring)?|soften(?:ed)?|soft[- ]focus|out[- ]of[- ]focus|defocus(?:ed)?|gaussian(?:\s+blur)?|bokeh|fuzzy|hazy`,
    build: adjustment('blur'),
  },
  {
    operation: 'sharpen',
    description: 'Unsharp-mask sharpening',
    phrasings: ['sharpen', 'sharper', 'crisper', 'unblur', 'more detail'],
    pattern: String.raw`sharpen(?:ed)?|sharper|crisp(?:er)?|un-?blur|de-?blur|more\s+detail(?:ed)?|enhance\s+(?:the\s+)?details?|clarity`,
    build: adjustment('sharpen'),
  },
  {
    operation: 'brighten',
    description: 'Increase brightness',
    phrasings: ['brighter', 'brighten', 'lighten', 'increase the exposure', 'lighter'],
    pattern: String.raw`bright(?:en|er)|lighten|lighter|more\s+light|(?:increase|raise|boost)\s+(?:the\s+)?(?:brightness|exposure)|over-?exposed?|less\s+dark`,
    build: adjustment('brighten'),
  },
  {
    operation: 'darken',
    description: 'Decrease brightness',
    phrasings: ['darker', 'darken', 'dim', 'lower the exposure', 'moody'],
    pattern: String.raw`dark(?:en|er)|dim(?:mer|med)?|(?:decrease|lower|reduce)\s+(?:the\s+)?(?:brightness|exposure)|under-?exposed?|less\s+bright|mood(?:y|ier)`,
    build: adjustment('darken'),
  },
  {
    operation: 'contrast',
    description: 'Raise contrast ("less contrast" lowers it)',
    phrasings: ['more contrast', 'increase contrast', 'punchy', 'high contrast', 'make it pop', 'less contrast'],
    pattern: String.raw`(?:more|increased?|boost(?:ed)?|higher|add|stronger|high|raise|extra|less|lower|reduced?|decreased?|low|soft(?:er)?|flatten)\s+(?:the\s+)?contrast|contrasty|contrast|punch(?:y|ier)?|make\s+it\s+pop|dramatic`,
    build: (matchText, strength) => ({
      operation: 'contrast',
      strength: /\b(?:less|lower|reduced?|decreased?|low|soft(?:er)?|flatten)\b/i.test(matchText) ? -strength : strength,
    }),
  },
  {
    operation: 'warm',
    description: 'Shift colours towards orange',
    phrasings: ['warm', 'warmer', 'golden hour', 'sunset tones', 'cozy'],
    pattern: String.raw`warm(?:er|th|ing)?(?:\s+(?:tones?|colou?rs?|light|(?:it\s+)?up))?|golden[- ]hour|sunset(?:\s+(?:tones?|colou?rs?|light|glow))?|orange\s+tones?|cozy|cosy|autumn(?:al)?\s+tones?`,
    build: adjustment('warm'),
  },
  {
    operation: 'cool',
    description: 'Shift colours towards blue',
    phrasings: ['cool', 'cooler', 'blue tones', 'moonlight', 'icy'],
    pattern: String.raw`cool(?:er|ing)?(?:\s+(?:tones?|colou?rs?|light|(?:it\s+)?down))?|cold(?:er)?(?:\s+tones?)?|blue\s+tones?|blu(?:e-?)?ish|moonlight|moonlit|icy|wintry|winter\s+tones?`,
    build: adjustment('cool'),
  },
  {
    operation: 'saturate',
    description: 'Increase colour saturation',
    phrasings: ['saturate', 'more vivid', 'vibrant', 'colorful', 'boost the colours'],
    pattern: String.raw`saturated?|(?:more|increased?|boost(?:ed)?|higher|extra)\s+(?:the\s+)?(?:saturation|vivid|saturated|colou?rful|vibrant)|vivid|vibrant|colou?rful|(?:boost|intensify)\s+(?:the\s+)?colou?rs?|rich(?:er)?\s+colou?rs?`,
    build: adjustment('saturate'),
  },
  {
    operation: 'desaturate',
    description: 'Reduce colour saturation',
    phrasings: ['desaturate', 'muted', 'washed out', 'faded', 'pastel'],
    pattern: String.raw`de-?saturated?|(?:less|lower|reduced?|decreased?)\s+(?:the\s+)?(?:saturation|vivid|saturated|colou?rful|colou?rs?)|muted(?:\s+colou?rs?)?|washed[- ]out|faded?|pastel|dull(?:er)?|subdued|tone\s+down\s+(?:the\s+)?colou?rs?`,
    build: adjustment('desaturate'),
  },
  {
    operation: 'pixelate',
    description: 'Blocky pixel-art mosaic',
    phrasings: ['pixelate', '8-bit', 'mosaic', 'pixel art', 'blocky'],
    pattern: String.raw`pixel+(?:ated?|i[sz]ed?|ation)|pixel[- ]art|8[- ]?bit|mosaic|blocky|censor(?:ed)?`,
    build: adjustment('pixelate'),
  },
  {
    operation: 'mirror',
    description: 'Mirror left to right',
    phrasings: ['mirror', 'flip horizontally', 'flip it horizontally', 'horizontal flip'],
    pattern: String.raw`mirror(?:ed)?${OBJ}(?:\s+horizontally)?|flip(?:ped)?${OBJ}\s+(?:horizontally|sideways|left[- ]to[- ]right)|horizontal(?:ly)?\s+flip(?:ped)?|flop|reflect(?:ed)?(?:\s+horizontally)?`,
    build: adjustment('mirror'),
  },
  {
    operation: 'flip',
    description: 'Flip top to bottom',
    phrasings: ['flip', 'upside down', 'flip vertically', 'vertical flip'],
    pattern: String.raw`flip(?:ped)?${OBJ}(?:\s+(?:vertically|upside[- ]down))?|(?:turn(?:ed)?${OBJ}\s+)?upside[- ]down|vertical(?:ly)?\s+flip(?:ped)?`,
    build: adjustment('flip'),
  },
  {
    operation: 'rotate',
    description: 'Rotate clockwise by 90 / 180 / 270 (or any angle); left / counter-clockwise turns the other way',
    phrasings: ['rotate 90', 'rotate 180 degrees', 'rotate left', 'turn clockwise', 'rotate by 45°'],
    pattern: String.raw`rotated?${OBJ}(?:\s+by)?(?:\s+-?\d{1,3}\s*(?:°|degrees?|deg)?)?(?:\s+(?:to\s+the\s+)?(?:clockwise|counter[- ]?clockwise|anti[- ]?clockwise|left|right|cw|ccw))?|(?:turn(?:ed)?|spin)${OBJ}(?:\s+by)?(?:\s+\d{1,3}\s*(?:°|degrees?|deg)?(?:\s+(?:to\s+the\s+)?(?:clockwise|counter[- ]?clockwise|anti[- ]?clockwise|left|right))?|\s+(?:to\s+the\s+)?(?:clockwise|counter[- ]?clockwise|anti[- ]?clockwise|left|right|sideways))|quarter[- ]turn`,
    build: buildRotate,
  },
  {
    operation: 'background',
    description: 'Fill transparent areas, or the uniform border-coloured backdrop, with a colour',
    phrasings: ['fill the background with blue', 'make the background white', 'red background', 'on a black background'],
    pattern: String.raw`(?:fill|paint|colou?r|make|set|change|replace|turn|swap)(?:\s+in)?\s+the\s+(?:background|backdrop)(?:\s+(?:to|with|in|into|as|for))?(?:\s+(?:a|an|solid|plain|flat))*\s+${C}(?:\s+colou?r)?|(?:(?:on|with|use|add|give\s+it)\s+)?(?:an?\s+)?(?:(?:solid|plain|flat)\s+)?${C}\s+(?:background|backdrop)|(?:background|backdrop)\s+(?:to|in|of|colou?r(?:\s+to)?)\s+${C}`,
    build: withColour('background'),
  },
  {
    operation: 'remove-background',
    description: 'Make the uniform border-coloured backdrop transparent (needs png or webp output)',
    phrasings: ['remove the background', 'transparent background', 'cut out the subject', 'make the background transparent'],
    pattern: String.raw`(?:remove|delete|erase|drop|strip|get\s+rid\s+of|knock\s+out)\s+(?:the\s+)?(?:background|backdrop|bg)|(?:make\s+(?:the\s+)?)?(?:background|backdrop)\s+transparent|transparent\s+(?:background|backdrop|bg)|cut[- ]?out(?:\s+the\s+subject)?|cut\s+(?:it|the\s+subject)\s+out|no\s+background|isolate\s+(?:the\s+)?subject`,
    build: adjustment('remove-background'),
  },
  {
    operation: 'vignette',
    description: 'Darken the corners',
    phrasings: ['vignette', 'darken the corners', 'dark edges'],
    pattern: String.raw`vignett(?:e|ing|ed)|dark(?:en(?:ed)?|er)?\s+(?:the\s+)?(?:corners|edges)|edge\s+(?:darkening|shadow)`,
    build: adjustment('vignette'),
  },
  {
    operation: 'posterize',
    description: 'Reduce each channel to a few levels (poster / pop-art look)',
    phrasings: ['posterize', 'poster effect', 'pop art', 'comic book', 'flat colours'],
    pattern: String.raw`posteri[sz](?:ed?|ation)|poster(?:[- ](?:effect|style|like))?|pop[- ]art|comic(?:[- ]book)?(?:\s+style)?|cel[- ]shad(?:ed|ing)|flat\s+colou?rs?|(?:reduce|fewer)\s+(?:the\s+)?(?:number\s+of\s+)?colou?rs|screen[- ]?print(?:ed)?`,
    build: adjustment('posterize'),
  },
  {
    operation: 'border',
    description: 'Draw a frame inside the edges (default white; thin / thick)',
    phrasings: ['add a red border', 'thick black frame', 'frame it in gold', 'border'],
    pattern: String.raw`(?:(?:add|put|draw|give\s+it|with)\s+)?(?:an?\s+)?(?:(?:thin|thick|wide|heavy|narrow|bold|fat|slim)\s+)?(?:${C}\s+)?(?:(?:thin|thick|wide|heavy|narrow|bold)\s+)?(?:border|frame|passe-?partout)(?:\s+(?:in|of)\s+${C})?(?:\s+around\s+(?:it|the\s+(?:image|photo|picture)))?|frame[d]?\s+(?:it|the\s+(?:image|photo|picture))(?:\s+in\s+${C})?|framed(?:\s+in\s+${C})?`,
    build: buildBorder,
  },
  {
    operation: 'tint',
    description: 'Colourise towards a named colour',
    phrasings: ['tint it red', 'purple tint', 'colorize with teal', 'make it pink'],
    pattern: String.raw`tint(?:ed)?${OBJ}(?:\s+(?:with|in|to))?(?:\s+an?)?\s+${C}|${C}\s+(?:tint(?:ed)?|wash|cast|hue|filter|tones?|overlay)|colou?ri[sz]ed?${OBJ}(?:\s+(?:with|in|to))?\s+${C}|(?:make|turn)\s+(?:it|everything|the\s+(?:image|photo|picture))\s+${C}|${C}-tinted`,
    build: withColour('tint'),
  },
  {
    operation: 'cinematic',
    description: 'Film grade: more contrast, teal shadows and warm highlights, darkened corners',
    phrasings: ['cinematic', 'cinematic lighting', 'film look', 'movie still', 'teal and orange'],
    pattern: String.raw`cinematic(?:\s+(?:lighting|look|grade|grading|colou?rs?|style|feel))?|film(?:ic)?\s+(?:look|grade|still|style)|movie\s+(?:still|look|poster)|teal\s+(?:and|&)\s+orange|hollywood\s+(?:look|grade)`,
    build: adjustment('cinematic'),
  },
  {
    operation: 'enhance',
    description: 'Auto-levels (stretch the histogram) with a touch more colour',
    phrasings: ['enhance', 'auto adjust', 'normalize', 'fix the exposure', 'improve the colors'],
    pattern: String.raw`enhanced?|auto[- ]?(?:enhance|adjust|levels?|correct|colou?r)|normali[sz]ed?|fix\s+(?:the\s+)?(?:exposure|colou?rs?|lighting|levels)|improve\s+(?:the\s+)?(?:quality|photo|image|picture|colou?rs?|lighting)|colou?r[- ]correct(?:ion|ed)?|touch\s+(?:it\s+)?up`,
    build: adjustment('enhance'),
  },
];

/** How several input images are combined before the edits run. */
export const layoutMatchers: readonly LayoutMatcher[] = [
  {
    operation: 'side-by-side',
    description: 'Place the images in a row, heights matched to the first image',
    phrasings: ['side by side', 'next to each other', 'horizontally', 'in a row'],
    pattern: String.raw`side[- ]by[- ]side|(?:next\s+to|beside)\s+each\s+other|(?:in\s+a\s+)?row|horizontal(?:ly)?(?:\s+(?:layout|strip|row))?|left\s+and\s+right|diptych|triptych`,
  },
  {
    operation: 'stack',
    description: 'Stack the images in a column, widths matched to the first image',
    phrasings: ['stack', 'on top of each other', 'vertically', 'one above the other'],
    pattern: String.raw`stack(?:ed)?(?:\s+(?:them|the\s+images))?(?:\s+vertically)?|on\s+top\s+of\s+each\s+other|one\s+(?:above|on\s+top\s+of|below)\s+the\s+other|(?:in\s+a\s+)?column|vertical(?:ly)?(?:\s+(?:layout|strip|stack))?|top\s+to\s+bottom|above\s+each\s+other`,
  },
  {
    operation: 'grid',
    description: 'Near-square grid of equal cells (first image sets the cell size)',
    phrasings: ['grid', 'collage', 'contact sheet', 'tiled'],
    pattern: String.raw`grid|collage|tiled?|contact\s+sheet|montage|mood\s*board`,
  },
  {
    operation: 'inset',
    description: 'Second image small in the bottom-right corner of the first',
    phrasings: ['inset', 'picture in picture', 'in the corner'],
    pattern: String.raw`inset|picture[- ]in[- ]picture|pip|(?:small(?:er)?\s+)?in(?:to)?\s+the\s+corner|corner\s+(?:thumbnail|overlay)`,
  },
];

/** Words that scale the strength of the nearest edit: "slightly blur", "brighten it a lot". */
export const strengthModifiers: ReadonlyArray<{ pattern: string; strength: number }> = [
  { pattern: String.raw`extremely|super|massively|hugely|maximum|max`, strength: 2.2 },
  { pattern: String.raw`very|strongly|a\s+lot|heavily|much|really|intensely|significantly|dramatically|considerably|way\s+more|lots`, strength: 1.6 },
  { pattern: String.raw`slightly|a\s+(?:little|bit|touch|tad)(?:\s+bit)?|subtle|subtly|gently|lightly|mildly|somewhat|a\s+hint\s+of|barely|faintly`, strength: 0.5 },
];

const publicEntry = ({ operation, phrasings, description }: VocabularyEntry): VocabularyEntry => ({ operation, phrasings, description });

/** What the local engine understands, for docs and the model catalog. */
export const localEditVocabulary: ReadonlyArray<VocabularyEntry> = operationMatchers.map(publicEntry);
export const localLayoutVocabulary: ReadonlyArray<VocabularyEntry> = layoutMatchers.map(publicEntry);
