/**
 * Unsafe templating: ways to switch Django's auto-escaping off for data that is
 * not a constant, which is how stored and reflected XSS get in.
 */
import type { FileDiff } from "../diff/types.js";
import { isPython, isTemplate } from "./paths.js";
import { formattedVariable, isDynamicString, touchedCalls } from "./python-calls.js";
import { calleeName, lineOf, positionalArgs } from "./python-tree.js";
import { isSafeHtml } from "./safe-html.js";
import type { Rule, RuleContext, RuleHit } from "./types.js";

const FAMILY = "templating";

const markSafe: Rule = {
  id: `${FAMILY}/mark-safe`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "security",
  title: "`mark_safe`/`SafeString` on non-constant data",
  appliesTo: isPython,
  skipsTests: true,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    // Reported when the change touched any line of the call: a changed argument changes what is trusted.
    return touchedCalls(file, ctx.trees, /\b(?:mark_safe|SafeString|SafeText)\b/, /(?:^|\.)(?:mark_safe|SafeString|SafeText)$/).flatMap(({ call, line }): RuleHit[] => {
      const fn = calleeName(call);
      // Constants, translated constants, escaped values and templates filled with them are what mark_safe is for.
      const arg = positionalArgs(call)[0];
      if (!arg || isSafeHtml(arg)) return [];
      return [
        {
          line,
          title: `XSS: \`${fn}()\` on non-constant data`,
          body:
            `\`${fn}()\` tells Django the string is trusted HTML, so nothing in it is escaped when rendered; any ` +
            "user-controlled part becomes script in the victim's browser (XSS). Build the HTML with " +
            "`format_html(\"<b>{}</b>\", value)` (which escapes each argument), or escape the data with `escape()` first.",
        },
      ];
    });
  },
};

const formatHtml: Rule = {
  id: `${FAMILY}/format-html-misuse`,
  family: FAMILY,
  defaultSeverity: "high",
  category: "security",
  title: "`format_html` given a pre-formatted string",
  appliesTo: isPython,
  check(file: FileDiff, ctx: RuleContext): RuleHit[] {
    return touchedCalls(file, ctx.trees, /format_html/, /(?:^|\.)format_html$/).flatMap(({ call, line }): RuleHit[] => {
      const template = positionalArgs(call)[0];
      const variable = formattedVariable(template);
      if (!template || (!isDynamicString(template) && !variable)) return [];
      const how = variable ? `\`${variable.name}\` (line ${lineOf(variable.built)}) is` : "Here the data is";
      return [
        {
          line,
          body:
            "`format_html()` escapes only the arguments after the template; the template itself is trusted. " +
            `${how} formatted into the template first (f-string, \`%\`, \`.format()\` or \`+\`), so it is not escaped ` +
            "at all. Keep the template constant and pass values as arguments: `format_html(\"<a href=\\\"{}\\\">{}</a>\", url, label)`.",
        },
      ];
    });
  },
};

/**
 * `{{ ... }}`, then `|safe` inside it, in two linear passes: one pattern for both
 * retried the rest of the tag from every `{{` and every `|safe` (quadratic).
 */
const OUTPUT_TAG = /\{\{([^{}]*)\}\}/g;
const SAFE_FILTER = /\|\s*safe\s*(?:\||$)/;

/**
 * Values that cannot carry a visitor's markup: a field's `help_text` (written by
 * developers, and rendered unescaped by Django's own admin), an API schema's
 * description (the view's docstring), a setting (`config.ROOT_TAG_ATTRS`), and ids or counts.
 */
const DEVELOPER_TEXT = /(?:^|\.)(?:help_text|id|pk|count|schema\.description|[A-Z][A-Z0-9_]+)\s*$/;

/** `{{ value|safe }}` where the value is a variable, and `{% autoescape off %}`. */
const safeFilter: Rule = {
  id: `${FAMILY}/safe-filter`,
  family: FAMILY,
  defaultSeverity: "medium",
  category: "security",
  title: "Template output with escaping turned off",
  appliesTo: isTemplate,
  check(file: FileDiff): RuleHit[] {
    const hits: RuleHit[] = [];
    const plainText = /\.txt$/.test(file.path);
    for (const hunk of file.hunks) {
      for (const l of hunk.lines) {
        if (l.kind !== "add" || l.newLine === undefined || /^\s*\{#.*#\}\s*$/.test(l.text)) continue;
        const safe = !plainText && [...l.text.matchAll(OUTPUT_TAG)].some((m) => {
          const inner = m[1] ?? "";
          const filter = SAFE_FILTER.exec(inner);
          return filter !== null && !/^\s*["']/.test(inner.slice(0, filter.index)) && !DEVELOPER_TEXT.test(inner.slice(0, filter.index));
        });
        // A plain-text template (an e-mail body or subject) is not HTML: escaping there would garble it.
        const off = !plainText && /\{%-?\s*autoescape\s+off\s*-?%\}/.test(l.text);
        if (!safe && !off) continue;
        hits.push({
          line: l.newLine,
          title: safe ? "XSS: `|safe` on a template variable" : "XSS: `{% autoescape off %}` block",
          body:
            (safe ? "`|safe` renders the variable without escaping" : "`{% autoescape off %}` renders every variable in the block without escaping") +
            ", so any user-controlled text in it becomes markup or script (XSS). Remove it and let Django escape; " +
            "if the value really is HTML, build it in Python with `format_html()` or sanitise it (e.g. `nh3.clean`) first.",
        });
      }
    }
    return hits;
  },
};

/** The templating family. */
export const TEMPLATING_RULES: readonly Rule[] = [markSafe, formatHtml, safeFilter];
