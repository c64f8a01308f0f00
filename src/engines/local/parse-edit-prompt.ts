import {
  layoutMatchers,
  operationMatchers,
  strengthModifiers,
  type EditOperation,
  type LayoutName,
} from './edit-vocabulary.ts';

export type ParsedEditPrompt = {
  /** In prompt order. */
  operations: EditOperation[];
  /** The first layout phrase, if any; it only matters with several input images. */
  layout: LayoutName | undefined;
};

type Span = { start: number; end: number };
type Candidate = Span & { priority: number; text: string; matcher: { kind: 'operation' | 'layout'; index: number } };

// Whole words only; \b is not enough because phrases may start or end with "&", "°" or a quote.
const wordBounded = (pattern: string) => new RegExp(String.raw`(?<!\w)(?:${pattern})(?!\w)`, 'gi');

const operationExpressions = operationMatchers.map((matcher) => wordBounded(matcher.pattern));
const layoutExpressions = layoutMatchers.map((matcher) => wordBounded(matcher.pattern));
const modifierExpressions = strengthModifiers.map((modifier) => ({ expression: wordBounded(modifier.pattern), strength: modifier.strength }));
const clauseBreak = /[.;:!?,\n]|(?<!\w)(?:then|after\s+that|afterwards|finally)(?!\w)/gi;

function findAll(expression: RegExp, text: string): Array<Span & { text: string }> {
  const found: Array<Span & { text: string }> = [];
  expression.lastIndex = 0;
  for (let match = expression.exec(text); match !== null; match = expression.exec(text)) {
    if (match[0].length === 0) {
      expression.lastIndex += 1;
      continue;
    }
    found.push({ start: match.index, end: match.index + match[0].length, text: match[0] });
  }
  return found;
}

/** Longest phrase wins an overlap ("flip horizontally" over "flip"); ties go to the entry listed first. */
function resolveOverlaps(candidates: Candidate[], textLength: number): Candidate[] {
  const ranked = [...candidates].sort(
    (left, right) => right.end - right.start - (left.end - left.start) || left.priority - right.priority || left.start - right.start,
  );
  // One flag per character keeps this linear even for prompts with thousands of matches.
  const taken = new Uint8Array(textLength);
  const accepted: Candidate[] = [];
  for (const candidate of ranked) {
    if (taken.subarray(candidate.start, candidate.end).includes(1)) continue;
    taken.fill(1, candidate.start, candidate.end);
    accepted.push(candidate);
  }
  return accepted.sort((left, right) => left.start - right.start);
}

/**
 * Binds strength words to edits inside one clause: a modifier belongs to the edit right after it
 * ("slightly blur"); when no edit follows before the clause ends or another modifier, it belongs to
 * the edit before it ("blur it a lot").
 */
function bindStrengths(operations: Candidate[], modifiers: Array<Span & { strength: number }>, clauseOf: (position: number) => number): Map<Candidate, number> {
  const strengths = new Map<Candidate, number>();
  type Token = { position: number; operation?: Candidate; strength?: number };
  const tokens: Token[] = [
    ...operations.map((operation) => ({ position: operation.start, operation })),
    ...modifiers.map((modifier) => ({ position: modifier.start, strength: modifier.strength })),
  ].sort((left, right) => left.position - right.position);
  tokens.forEach((token, index) => {
    if (token.strength === undefined) return;
    const next = tokens[index + 1];
    if (next?.operation && clauseOf(next.position) === clauseOf(token.position) && !strengths.has(next.operation)) {
      strengths.set(next.operation, token.strength);
      return;
    }
    const previous = tokens[index - 1];
    if (previous?.operation && clauseOf(previous.position) === clauseOf(token.position) && !strengths.has(previous.operation)) {
      strengths.set(previous.operation, token.strength);
    }
  });
  return strengths;
}

const isSameParameterlessEdit = (left: EditOperation, right: EditOperation) =>
  left.operation === right.operation && Object.keys(left).length === 2 && Object.keys(right).length === 2;

export function parseEditPrompt(prompt: string): ParsedEditPrompt {
  const candidates: Candidate[] = [];
  operationExpressions.forEach((expression, index) => {
    for (const found of findAll(expression, prompt)) candidates.push({ ...found, priority: index, matcher: { kind: 'operation', index } });
  });
  layoutExpressions.forEach((expression, index) => {
    for (const found of findAll(expression, prompt)) {
      candidates.push({ ...found, priority: operationMatchers.length + index, matcher: { kind: 'layout', index } });
    }
  });
  const accepted = resolveOverlaps(candidates, prompt.length);

  // Modifiers and clause breaks are looked for outside matched phrases, so quoted text cannot add any.
  const pieces: string[] = [];
  let copied = 0;
  for (const span of accepted) {
    pieces.push(prompt.slice(copied, span.start), ' '.repeat(span.end - span.start));
    copied = span.end;
  }
  pieces.push(prompt.slice(copied));
  const remaining = pieces.join('');
  const modifiers = modifierExpressions.flatMap(({ expression, strength }) => findAll(expression, remaining).map((found) => ({ ...found, strength })));
  const breaks = findAll(clauseBreak, remaining).map((found) => found.start);
  /** Number of clause breaks before a position (binary search: breaks are in ascending order). */
  const clauseOf = (position: number) => {
    let low = 0;
    let high = breaks.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((breaks[middle] ?? 0) < position) low = middle + 1;
      else high = middle;
    }
    return low;
  };

  const operationCandidates = accepted.filter((candidate) => candidate.matcher.kind === 'operation');
  const strengths = bindStrengths(operationCandidates, modifiers, clauseOf);
  const operations: EditOperation[] = [];
  let previous: { operation: EditOperation; clause: number } | undefined;
  for (const candidate of operationCandidates) {
    const matcher = operationMatchers[candidate.matcher.index];
    const operation = matcher?.build(candidate.text, strengths.get(candidate) ?? 1);
    if (!operation) continue;
    const clause = clauseOf(candidate.start);
    // "a warm golden hour glow" is one warm edit, not two; repeats in separate clauses stay separate.
    if (previous && previous.clause === clause && isSameParameterlessEdit(previous.operation, operation)) {
      if (Math.abs(operation.strength) > Math.abs(previous.operation.strength)) previous.operation.strength = operation.strength;
      continue;
    }
    operations.push(operation);
    previous = { operation, clause };
  }
  const firstLayout = accepted.find((candidate) => candidate.matcher.kind === 'layout');
  return { operations, layout: firstLayout ? layoutMatchers[firstLayout.matcher.index]?.operation : undefined };
}
