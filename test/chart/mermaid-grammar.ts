// A checker for the part of Mermaid's stateDiagram-v2 grammar that toMermaid writes, taken
// from the lexer rules of mermaid's stateDiagram.jison (no browser needed): identifiers
// are `[^:\n\s\-\{]+` and lose to keyword rules ("default" as a prefix; state, note,
// class, ... as words); a `: description` runs to the first ":", ";" or newline, after
// mermaid has swapped `#name;` entity codes for placeholders; a quoted state label has no
// '"'; a composite state may not carry descriptions ("Group nodes can only have label");
// Markdown characters are encoded too (arrow labels are rendered as Markdown).
// It also parses the labels back, so tests can check that escaping loses nothing.

export interface ParsedArrow {
  readonly from: string;
  readonly to: string;
  /** The label as Mermaid shows it: entity codes decoded, split at `<br/>`. */
  readonly lines: readonly string[];
  /** The composite block the arrow was written in ("" at top level). */
  readonly block: string;
}

export interface ParsedState {
  readonly label: string;
  readonly block: string;
  readonly group: boolean;
  readonly descriptions: string[];
}

export interface ParsedDiagram {
  readonly errors: readonly string[];
  readonly states: ReadonlyMap<string, ParsedState>;
  readonly arrows: readonly ParsedArrow[];
}

const ID = /^[^:\n\s\-{]+$/;
const SAFE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(['state', 'note', 'class', 'classdef', 'scale', 'hide', 'acctitle', 'accdescr', 'statediagram', 'direction', 'end', 'as', 'click', 'style']);
const NAMED_ENTITIES: Readonly<Record<string, string>> = { quot: '"', lt: '<', gt: '>', amp: '&' };

/** What mermaid's encodeEntities does before lexing: `#name;` becomes a placeholder without ":" or ";". */
function withPlaceholders(text: string): string {
  return text.replace(/#\w+;/g, 'ENTITY');
}

function decode(text: string, errors: string[], where: string): string[] {
  return text.split('<br/>').map((part) => {
    if (/[<>]/.test(part)) errors.push(`${where}: raw "<" or ">" outside <br/> in "${text}"`);
    return part.replace(/#(\w+);/g, (whole, name: string) => {
      if (/^\d+$/.test(name)) return String.fromCharCode(Number(name));
      const named = NAMED_ENTITIES[name];
      if (named === undefined) errors.push(`${where}: unknown entity ${whole}`);
      return named ?? whole;
    });
  });
}

function checkId(id: string, errors: string[], where: string): void {
  const lower = id.toLowerCase();
  if (!ID.test(id) || !SAFE_ID.test(id)) errors.push(`${where}: invalid identifier "${id}"`);
  if (lower.startsWith('default') || KEYWORDS.has(lower)) errors.push(`${where}: identifier "${id}" is lexed as a keyword`);
  if (lower.endsWith('direction')) errors.push(`${where}: identifier "${id}" can start a direction statement`);
}

function checkDescription(text: string, errors: string[], where: string): void {
  const lexed = withPlaceholders(text);
  if (!/^[^:\n;]+$/.test(lexed)) errors.push(`${where}: description "${text}" contains ":", ";" or a newline`);
  if (/%%/.test(lexed)) errors.push(`${where}: "%%" starts a comment`);
  if (/direction\s+(tb|bt|rl|lr)/i.test(lexed)) errors.push(`${where}: text would switch the diagram direction`);
  if (/[{}"]/.test(lexed)) errors.push(`${where}: raw brace or quote in "${text}"`);
  // Arrow labels are rendered as Markdown: *x* and _x_ italicize, \\ collapses.
  if (/[*_`\\]/.test(lexed)) errors.push(`${where}: Markdown would rewrite "${text}"`);
}

export function parseStateDiagram(source: string): ParsedDiagram {
  const errors: string[] = [];
  const states = new Map<string, ParsedState>();
  const arrows: ParsedArrow[] = [];
  const blocks: string[] = [];
  const lines = source.split('\n');
  if (lines[0] !== 'stateDiagram-v2') errors.push('line 1: expected "stateDiagram-v2"');
  const declared = (id: string, where: string): void => {
    if (id !== '[*]' && !states.has(id)) errors.push(`${where}: "${id}" is used before it is declared`);
  };
  lines.slice(1).forEach((raw, i) => {
    const where = `line ${i + 2}`;
    const line = raw.trim();
    const block = blocks[blocks.length - 1] ?? '';
    let match: RegExpExecArray | null;
    if (line === '') {
      // Blank lines are allowed anywhere.
    } else if (line === '}') {
      if (blocks.pop() === undefined) errors.push(`${where}: "}" without an open composite state`);
    } else if (line === '--') {
      if (blocks.length === 0) errors.push(`${where}: "--" (concurrency) outside a composite state`);
    } else if ((match = /^state "([^"\n]*)" as (\S+)( \{)?$/.exec(line)) !== null) {
      const [, label = '', id = '', open] = match;
      checkId(id, errors, where);
      if (states.has(id)) errors.push(`${where}: "${id}" declared twice`);
      if (/[:;]/.test(withPlaceholders(label))) errors.push(`${where}: label "${label}" contains ":" or ";"`);
      states.set(id, { label: (decode(label, errors, where)[0] ?? ''), block, group: open !== undefined, descriptions: [] });
      if (open !== undefined) blocks.push(id);
    } else if ((match = /^(\S+) --> (\S+)(?: : (.*))?$/.exec(line)) !== null) {
      const [, from = '', to = '', label] = match;
      for (const id of [from, to]) {
        if (id !== '[*]') checkId(id, errors, where);
        declared(id, where);
      }
      if (from === '[*]' && to === '[*]') errors.push(`${where}: [*] --> [*]`);
      if (from === '[*]' && states.get(to)?.block !== block) errors.push(`${where}: initial arrow to "${to}" outside its block`);
      if (to === '[*]' && states.get(from)?.block !== block) errors.push(`${where}: final arrow from "${from}" outside its block`);
      if (label !== undefined) checkDescription(label, errors, where);
      arrows.push({ from, to, lines: label === undefined ? [] : decode(label, errors, where), block });
    } else if ((match = /^(\S+) : (.*)$/.exec(line)) !== null) {
      const [, id = '', text = ''] = match;
      declared(id, where);
      checkDescription(text, errors, where);
      const state = states.get(id);
      if (state?.group === true) errors.push(`${where}: composite state "${id}" cannot have a description`);
      state?.descriptions.push(...decode(text, errors, where));
    } else {
      errors.push(`${where}: not a statement this checker knows: "${line}"`);
    }
  });
  if (blocks.length > 0) errors.push(`unclosed composite state(s): ${blocks.join(', ')}`);
  return { errors, states, arrows };
}
