/**
 * The parser of the linear matcher's patterns (see `linear-regex.ts` for the
 * syntax): a pattern becomes a tree of character predicates, sequences,
 * alternations, repetitions and assertions, or a {@link PatternError} that says
 * what is not supported. Repetition counts are bounded here.
 */

/** Largest bound of a counted repetition. */
const MAX_REPEAT = 100;

/** A pattern the engine cannot run, with the reason shown to the model. */
export class PatternError extends Error {
  constructor(message: string) {
    super(`invalid pattern: ${message}`);
    this.name = "PatternError";
  }
}

/** Whether a UTF-16 code unit matches. */
export type Pred = (c: number) => boolean;
/** The parsed pattern. */
export type Node =
  | { t: "char"; pred: Pred }
  | { t: "cat"; items: Node[] }
  | { t: "alt"; items: Node[] }
  | { t: "rep"; node: Node; min: number; max: number }
  | { t: "bol" | "eol" | "wb" | "nwb" };

const isDigit: Pred = (c) => c >= 48 && c <= 57;
export const isWord: Pred = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace: Pred = (c) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || (c >= 0x2000 && c <= 0x200a);
const CLASS_ESCAPES: Record<string, Pred> = {
  d: isDigit, w: isWord, s: isSpace,
  D: (c) => !isDigit(c), W: (c) => !isWord(c), S: (c) => !isSpace(c),
};
const CHAR_ESCAPES: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, v: 11, "0": 0 };

function fold(pred: Pred, ignoreCase: boolean): Pred {
  if (!ignoreCase) return pred;
  return (c) => pred(c) || pred(String.fromCharCode(c).toLowerCase().charCodeAt(0)) || pred(String.fromCharCode(c).toUpperCase().charCodeAt(0));
}

/** Recursive-descent parser; `depth` bounds nesting so a hostile pattern cannot overflow the stack. */
export class Parser {
  private at = 0;
  constructor(private readonly src: string, private readonly ignoreCase: boolean) {}

  parse(): Node {
    const node = this.alternation(0);
    if (this.at < this.src.length) throw new PatternError(`unmatched ) at ${this.at}`);
    return node;
  }

  private alternation(depth: number): Node {
    if (depth > 50) throw new PatternError("groups nested too deeply");
    const items = [this.sequence(depth)];
    while (this.src[this.at] === "|") {
      this.at++;
      items.push(this.sequence(depth));
    }
    return items.length === 1 ? (items[0] as Node) : { t: "alt", items };
  }

  private sequence(depth: number): Node {
    const items: Node[] = [];
    while (this.at < this.src.length && this.src[this.at] !== "|" && this.src[this.at] !== ")") {
      items.push(this.quantified(this.atom(depth)));
    }
    return { t: "cat", items };
  }

  private quantified(node: Node): Node {
    for (;;) {
      const ch = this.src[this.at];
      let min: number;
      let max: number;
      if (ch === "*") [min, max] = [0, -1];
      else if (ch === "+") [min, max] = [1, -1];
      else if (ch === "?") [min, max] = [0, 1];
      else if (ch === "{" && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.at, this.at + 12))) {
        const close = this.src.indexOf("}", this.at);
        const [lo, hi] = this.src.slice(this.at + 1, close).split(",");
        min = Number(lo);
        max = hi === undefined ? min : hi === "" ? -1 : Number(hi);
        if (min > MAX_REPEAT || max > MAX_REPEAT) throw new PatternError(`a repetition count over ${MAX_REPEAT}`);
        if (max !== -1 && max < min) throw new PatternError("a repetition {n,m} with m < n");
        this.at = close;
      } else return node;
      this.at++;
      if (this.src[this.at] === "?") this.at++;
      if (node.t === "bol" || node.t === "eol" || node.t === "wb" || node.t === "nwb") throw new PatternError("nothing to repeat");
      node = { t: "rep", node, min, max };
    }
  }

  private atom(depth: number): Node {
    const ch = this.src[this.at++] as string;
    if (ch === "(") {
      if (this.src[this.at] === "?") {
        if (this.src[this.at + 1] !== ":") throw new PatternError("look-around and named groups are not supported");
        this.at += 2;
      }
      const inner = this.alternation(depth + 1);
      if (this.src[this.at] !== ")") throw new PatternError("unclosed (");
      this.at++;
      return inner;
    }
    if (ch === "[") return { t: "char", pred: fold(this.charClass(), this.ignoreCase) };
    if (ch === ".") return { t: "char", pred: (c) => c !== 10 };
    if (ch === "^") return { t: "bol" };
    if (ch === "$") return { t: "eol" };
    if (ch === "*" || ch === "+" || ch === "?") throw new PatternError(`nothing to repeat before ${ch}`);
    if (ch === "\\") return this.escape();
    const code = ch.charCodeAt(0);
    return { t: "char", pred: fold((c) => c === code, this.ignoreCase) };
  }

  private escape(): Node {
    const ch = this.src[this.at++];
    if (ch === undefined) throw new PatternError("trailing \\");
    if (ch === "b") return { t: "wb" };
    if (ch === "B") return { t: "nwb" };
    const cls = CLASS_ESCAPES[ch];
    if (cls) return { t: "char", pred: cls };
    const code = this.escapedCode(ch);
    return { t: "char", pred: fold((c) => c === code, this.ignoreCase) };
  }

  private escapedCode(ch: string): number {
    if (/[1-9]/.test(ch)) throw new PatternError("back-references are not supported");
    const known = CHAR_ESCAPES[ch];
    if (known !== undefined) return known;
    if (/[A-Za-z]/.test(ch)) throw new PatternError(`unknown escape \\${ch}`);
    return ch.charCodeAt(0);
  }

  private charClass(): Pred {
    const negate = this.src[this.at] === "^";
    if (negate) this.at++;
    const parts: Pred[] = [];
    let first = true;
    while (this.at < this.src.length && (this.src[this.at] !== "]" || first)) {
      first = false;
      const lo = this.classChar(parts);
      if (lo === undefined) continue;
      if (this.src[this.at] === "-" && this.src[this.at + 1] !== "]" && this.at + 1 < this.src.length) {
        this.at++;
        const hi = this.classChar(parts);
        if (hi === undefined || hi < lo) throw new PatternError("a bad range in [...]");
        parts.push((c) => c >= lo && c <= hi);
      } else parts.push((c) => c === lo);
    }
    if (this.src[this.at] !== "]") throw new PatternError("unclosed [");
    this.at++;
    return negate ? (c) => !parts.some((p) => p(c)) : (c) => parts.some((p) => p(c));
  }

  /** One class member: a code unit, or undefined after pushing a `\d`-style class. */
  private classChar(parts: Pred[]): number | undefined {
    const ch = this.src[this.at++] as string;
    if (ch !== "\\") return ch.charCodeAt(0);
    const esc = this.src[this.at++];
    if (esc === undefined) throw new PatternError("trailing \\");
    const cls = CLASS_ESCAPES[esc];
    if (cls) {
      parts.push(cls);
      return undefined;
    }
    return esc === "b" ? 8 : this.escapedCode(esc);
  }
}
