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
 * match it changes nothing), `{n}`, `{n,}`, `{n,m}` (counts up to 100),
 * `^` and `$`. Back-references and look-around cannot run in linear time and are
 * refused with a clear message.
 */

import { isWord, Parser, PatternError, type Node, type Pred } from "./regex-parse.js";

export { PatternError } from "./regex-parse.js";

/** Largest compiled program: bounds the per-character cost. */
const MAX_PROGRAM = 5_000;
const MAX_PATTERN = 1_000;

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
