/**
 * A regular-expression matcher whose time is linear in the text: the model's grep
 * pattern is untrusted input, and JavaScript's backtracking engine takes
 * exponential time on patterns like `(a+)+$`. This is a Thompson NFA run as a
 * Pike VM (all threads advance together, one set per position), so a line of n
 * characters costs at most n × (program size) steps whatever the pattern.
 *
 * Syntax (ripgrep's common subset): literals, `.`, `[...]` classes with ranges and
 * `^` negation, `\d \w \s \D \W \S \b \B`, escaped punctuation, `\t \n`, groups
 * `(...)` and `(?:...)`, `|`, `* + ?` (a lazy `?` suffix is accepted: for a yes/no
 * match it changes nothing), `{n}`, `{n,}`, `{n,m}` (at most {@link MAX_REPEAT}),
 * `^` and `$`. Back-references and look-around cannot run in linear time and are
 * refused with a clear message.
 */

/** Largest bound of a counted repetition. */
const MAX_REPEAT = 100;
/** Largest compiled program: bounds the per-character cost. */
const MAX_PROGRAM = 5_000;
const MAX_PATTERN = 1_000;

/** A pattern the engine cannot run, with the reason shown to the model. */
export class PatternError extends Error {
  constructor(message: string) {
    super(`invalid pattern: ${message}`);
    this.name = "PatternError";
  }
}

type Pred = (c: number) => boolean;
type Node =
  | { t: "char"; pred: Pred }
  | { t: "cat"; items: Node[] }
  | { t: "alt"; items: Node[] }
  | { t: "rep"; node: Node; min: number; max: number }
  | { t: "bol" | "eol" | "wb" | "nwb" };

const isDigit: Pred = (c) => c >= 48 && c <= 57;
const isWord: Pred = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
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
class Parser {
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

const enum Op { Char, Split, Jmp, Match, Bol, Eol, Wb, Nwb }

/** A compiled pattern: `test(line)` in time linear in the line's length. */
export interface LinearRegex {
  test(text: string): boolean;
}

/** Compiles `pattern`; throws {@link PatternError} when it is outside the supported syntax or too large. */
export function compileLinear(pattern: string, options: { ignoreCase?: boolean } = {}): LinearRegex {
  if (pattern.length > MAX_PATTERN) throw new PatternError(`longer than ${MAX_PATTERN} characters`);
  const root = new Parser(pattern, options.ignoreCase ?? false).parse();
  const op: Op[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const pred: (Pred | undefined)[] = [];
  const emit = (o: Op, a = 0, b = 0, p?: Pred): number => {
    if (op.length >= MAX_PROGRAM) throw new PatternError("the pattern is too large once its repetitions are expanded");
    op.push(o); x.push(a); y.push(b); pred.push(p);
    return op.length - 1;
  };
  const gen = (n: Node): void => {
    switch (n.t) {
      case "char": emit(Op.Char, 0, 0, n.pred); return;
      case "bol": emit(Op.Bol); return;
      case "eol": emit(Op.Eol); return;
      case "wb": emit(Op.Wb); return;
      case "nwb": emit(Op.Nwb); return;
      case "cat": n.items.forEach(gen); return;
      case "alt": {
        const jumps: number[] = [];
        n.items.forEach((item, i) => {
          const split = i < n.items.length - 1 ? emit(Op.Split) : -1;
          if (split >= 0) x[split] = split + 1;
          gen(item);
          if (split >= 0) { jumps.push(emit(Op.Jmp)); y[split] = op.length; }
        });
        for (const j of jumps) x[j] = op.length;
        return;
      }
      case "rep": {
        for (let i = 0; i < n.min; i++) gen(n.node);
        if (n.max === -1) {
          const split = emit(Op.Split, op.length + 1);
          gen(n.node);
          emit(Op.Jmp, split);
          y[split] = op.length;
          return;
        }
        const splits: number[] = [];
        for (let i = n.min; i < n.max; i++) { splits.push(emit(Op.Split, op.length + 1)); gen(n.node); }
        for (const s of splits) y[s] = op.length;
      }
    }
  };
  gen(root);
  emit(Op.Match);
  return { test: (text) => run(text, op, x, y, pred) };
}

function run(text: string, op: Op[], x: number[], y: number[], pred: (Pred | undefined)[]): boolean {
  const size = op.length;
  const mark = new Int32Array(size).fill(-1);
  let current: number[] = [];
  let next: number[] = [];
  const stack: number[] = [];
  const word = (i: number) => i >= 0 && i < text.length && isWord(text.charCodeAt(i));
  // Follows jumps, splits and assertions from `pc` at position `i`, adding Char/Match states to `list`.
  const add = (list: number[], start: number, i: number, gen: number): boolean => {
    stack.push(start);
    while (stack.length > 0) {
      const pc = stack.pop() as number;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      switch (op[pc]) {
        case Op.Match: stack.length = 0; return true;
        case Op.Char: list.push(pc); break;
        case Op.Jmp: stack.push(x[pc] as number); break;
        case Op.Split: stack.push(y[pc] as number, x[pc] as number); break;
        case Op.Bol: if (i === 0) stack.push(pc + 1); break;
        case Op.Eol: if (i === text.length) stack.push(pc + 1); break;
        case Op.Wb: if (word(i - 1) !== word(i)) stack.push(pc + 1); break;
        case Op.Nwb: if (word(i - 1) === word(i)) stack.push(pc + 1); break;
      }
    }
    return false;
  };
  for (let i = 0; i <= text.length; i++) {
    // A new thread at every position: the unanchored search, without a `.*` prefix.
    if (add(current, 0, i, i * 2)) return true;
    if (i === text.length) break;
    const c = text.charCodeAt(i);
    next.length = 0;
    for (const pc of current) {
      if ((pred[pc] as Pred)(c) && add(next, pc + 1, i + 1, i * 2 + 2)) return true;
    }
    [current, next] = [next, current];
  }
  return false;
}
