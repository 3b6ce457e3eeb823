import { statementError } from './statement-error.js';
import type { StatementFormat } from './types.js';

/** An element of an OFX or XML document: an aggregate (children) or a leaf (text), with its first line. */
export interface MarkupNode {
  /** Upper-cased for OFX; the local name (namespace prefix dropped) for XML. */
  name: string;
  line: number;
  attrs: Record<string, string>;
  text?: string;
  children: MarkupNode[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
export const decodeEntities = (s: string): string =>
  s.indexOf('&') < 0
    ? s
    : s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
        if (e[0] === '#') {
          const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
          return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : all;
        }
        // Own keys only: `&constructor;` in a statement file is text, not a function's source.
        return Object.hasOwn(ENTITIES, e.toLowerCase()) ? ENTITIES[e.toLowerCase()]! : all;
      });

const ATTR = /([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

/**
 * One pass over `<tags>` and text with line numbers, for both dialects:
 * - `sgml` (OFX 1.x): names are upper-cased; a leaf ends at the next tag; a closing tag also closes
 *   any unclosed leaves inside it;
 * - `xml` (OFX 2.x, CAMT): every element must be closed by its own closing tag, in order; namespace
 *   prefixes are dropped; attributes, comments, CDATA and processing instructions are read.
 * Errors name the line: a closing tag that closes nothing open, text where an aggregate continues,
 * a file that ends inside an element (XML).
 */
export function readMarkup(text: string, format: StatementFormat, mode: 'sgml' | 'xml', start = 0): MarkupNode {
  const root: MarkupNode = { name: '#root', line: 1, attrs: {}, children: [] };
  const stack: MarkupNode[] = [root];
  let line = 1;
  let lineAt = 0;
  const lineOf = (index: number) => {
    for (let i = text.indexOf('\n', lineAt); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
      line++;
      lineAt = i + 1;
    }
    if (lineAt < index) lineAt = index;
    return line;
  };
  lineOf(start);
  let i = start;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const raw = text.slice(i, end);
      const value = raw.trim();
      if (value) {
        const top = stack[stack.length - 1]!;
        const at = lineOf(i + raw.search(/\S/));
        if (top === root || top.children.length || (mode === 'sgml' && top.text !== undefined)) throw statementError(format, { line: at }, 'syntax', { value });
        top.text = (top.text ?? '') + decodeEntities(value);
      }
    }
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const close = text.indexOf('-->', lt + 4);
      if (close < 0) throw statementError(format, { line: lineOf(lt) }, 'syntax', { value: '<!--' });
      i = close + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const close = text.indexOf(']]>', lt + 9);
      if (close < 0) throw statementError(format, { line: lineOf(lt) }, 'syntax', { value: '<![CDATA[' });
      const top = stack[stack.length - 1]!;
      top.text = (top.text ?? '') + text.slice(lt + 9, close);
      i = close + 3;
      continue;
    }
    const gt = text.indexOf('>', lt + 1);
    if (gt < 0) throw statementError(format, { line: lineOf(lt) }, 'syntax', { value: text.slice(lt, lt + 40) });
    const tagLine = lineOf(lt);
    const tag = text.slice(lt + 1, gt).trim();
    i = gt + 1;
    if (!tag || tag[0] === '?' || tag[0] === '!') continue;
    if (tag[0] === '/') {
      let name = tag.slice(1).trim();
      if (mode === 'sgml') {
        name = name.toUpperCase();
        let at = -1;
        for (let k = stack.length - 1; k > 0; k--) if (stack[k]!.name === name) { at = k; break; }
        if (at <= 0) throw statementError(format, { line: tagLine }, 'syntax', { value: `</${name}>` });
        stack.length = at;
      } else {
        const local = name.slice(name.indexOf(':') + 1);
        const top = stack[stack.length - 1]!;
        if (top === root || top.name !== local) throw statementError(format, { line: tagLine }, 'syntax', { value: top === root ? `</${name}>` : `</${name}> closes <${top.name}>` });
        stack.pop();
      }
      continue;
    }
    if (mode === 'sgml' && stack[stack.length - 1]!.text !== undefined) stack.pop();
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const space = body.search(/\s/);
    let name = space < 0 ? body : body.slice(0, space);
    if (!/^[A-Za-z_][\w:.-]*$/.test(name)) throw statementError(format, { line: tagLine }, 'syntax', { value: `<${tag}>` });
    name = mode === 'sgml' ? name.toUpperCase() : name.slice(name.indexOf(':') + 1);
    const attrs: Record<string, string> = {};
    if (space >= 0) for (const m of body.slice(space).matchAll(ATTR)) attrs[m[1]!.slice(m[1]!.indexOf(':') + 1)] = decodeEntities(m[3] ?? m[4] ?? '');
    const node: MarkupNode = { name, line: tagLine, attrs, children: [] };
    stack[stack.length - 1]!.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  if (mode === 'xml' && stack.length > 1) {
    throw statementError(format, { line: lineOf(text.trimEnd().length) }, 'syntax', { value: `ends inside <${stack[stack.length - 1]!.name}>` });
  }
  return root;
}

/** Depth-first search for elements named `name` (not inside another match). */
export function findAll(node: MarkupNode, name: string, out: MarkupNode[] = []): MarkupNode[] {
  for (const c of node.children) {
    if (c.name === name) out.push(c);
    else findAll(c, name, out);
  }
  return out;
}
export const child = (node: MarkupNode | undefined, name: string): MarkupNode | undefined => node?.children.find((c) => c.name === name);
export const children = (node: MarkupNode | undefined, name: string): MarkupNode[] => node?.children.filter((c) => c.name === name) ?? [];
/** The node at a path of child names (first match at each step). */
export const path = (node: MarkupNode | undefined, ...names: string[]): MarkupNode | undefined => {
  let n = node;
  for (const p of names) n = child(n, p);
  return n;
};
export const leaf = (node: MarkupNode | undefined, ...names: string[]): string | undefined => path(node, ...names)?.text;
