import type { Logger } from "pino";
import type { Env } from "../config/env.js";
import { formatCost } from "../engine/pricing.js";
import type { Ceiling, Headroom, SpendLedger, SpendScope } from "./spend-ledger.js";

/** The daily ceilings the environment sets (SPEND_*); 0 is no ceiling on that measure. */
export interface SpendLimits {
  installation: { usd: number; tokens: number };
  author: { usd: number; tokens: number };
  ask: { usd: number; tokens: number };
}

/** The limits from the validated environment. */
export function spendLimitsOf(
  env: Pick<Env, "SPEND_INSTALLATION_DAILY_USD" | "SPEND_INSTALLATION_DAILY_TOKENS" | "SPEND_AUTHOR_DAILY_USD" | "SPEND_AUTHOR_DAILY_TOKENS" | "SPEND_ASK_DAILY_USD" | "SPEND_ASK_DAILY_TOKENS">,
): SpendLimits {
  return {
    installation: { usd: env.SPEND_INSTALLATION_DAILY_USD, tokens: env.SPEND_INSTALLATION_DAILY_TOKENS },
    author: { usd: env.SPEND_AUTHOR_DAILY_USD, tokens: env.SPEND_AUTHOR_DAILY_TOKENS },
    ask: { usd: env.SPEND_ASK_DAILY_USD, tokens: env.SPEND_ASK_DAILY_TOKENS },
  };
}

const WHOSE: Record<SpendScope, (id: string) => string> = {
  installation: () => "this installation",
  author: (login) => `the pull request's author (\`${login}\`)`,
  ask: () => "`ask` answers in this installation",
};

/** Why a ceiling stops a request (its dollars, or its tokens), for the check summary and replies. */
export function describeCeiling(ceiling: Ceiling, measure: "usd" | "tokens"): string {
  const what = measure === "usd" ? `model spend ceiling (${formatCost(ceiling.usd)})` : `model token ceiling (${ceiling.tokens.toLocaleString("en-US")} tokens)`;
  return `the daily ${what} for ${WHOSE[ceiling.scope](ceiling.id)} was reached; it resets at 00:00 UTC`;
}

const isExhausted = (h: Headroom) => h.usd <= 0 || h.tokens <= 0;

/**
 * The spend of one review or one `ask` against its ceilings: read before each model
 * request, charged as each call answers. It fails closed: a ledger that cannot be
 * read or written stops further requests rather than letting them run uncounted.
 */
export class SpendGate {
  readonly ceilings: readonly Ceiling[];
  readonly #ledger: SpendLedger;
  readonly #onHit: (scope: SpendScope) => void;
  readonly #log: Logger | undefined;
  readonly #hit = new Set<SpendScope>();
  #broken: string | undefined;

  constructor(ledger: SpendLedger, ceilings: readonly Ceiling[], options: { onHit?: (scope: SpendScope) => void; log?: Logger | undefined } = {}) {
    this.#ledger = ledger;
    this.ceilings = ceilings.filter((c) => c.usd > 0 || c.tokens > 0);
    this.#onHit = options.onHit ?? (() => undefined);
    this.#log = options.log;
  }

  /** What each ceiling has left now; rejects when the ledger cannot be read. */
  headroom(): Promise<Headroom[]> {
    return this.#ledger.remaining(this.ceilings);
  }

  /** Why no further model request may be sent now, or undefined. */
  async exhausted(): Promise<string | undefined> {
    if (this.#broken) return this.#broken;
    if (this.ceilings.length === 0) return undefined;
    let headroom: Headroom[];
    try {
      headroom = await this.headroom();
    } catch (error) {
      this.#log?.error({ err: error }, "spend ledger unreadable");
      return (this.#broken = "the spend ceilings could not be checked (the spend ledger did not answer)");
    }
    const over = headroom.find(isExhausted);
    if (!over) return undefined;
    this.#hitOnce(over.ceiling.scope);
    return describeCeiling(over.ceiling, over.usd <= 0 ? "usd" : "tokens");
  }

  /**
   * The dollars each ceiling has left, with the reason to give once they are spent,
   * to cap a review's cost budget before it starts. A ledger that cannot be read
   * gives nothing here; the first request's {@link exhausted} then stops the review.
   */
  async costHeadroom(): Promise<Array<{ usd: number; reason: string }>> {
    try {
      return (await this.headroom()).filter((h) => h.ceiling.usd > 0).map((h) => ({ usd: h.usd, reason: describeCeiling(h.ceiling, "usd") }));
    } catch {
      return [];
    }
  }

  /** Counts a model call's cost against every ceiling; never throws (a failure stops the next request instead). */
  async charge(usd: number, tokens: number): Promise<void> {
    try {
      await this.#ledger.charge(this.ceilings, usd, tokens);
    } catch (error) {
      this.#log?.error({ err: error, usd, tokens }, "spend ledger charge failed");
      this.#broken = "the spend ceilings could not be kept (the spend ledger did not answer)";
    }
  }

  #hitOnce(scope: SpendScope): void {
    if (this.#hit.has(scope)) return;
    this.#hit.add(scope);
    this.#onHit(scope);
  }
}

/** Builds the gates of reviews and questions from the limits, over one shared ledger. */
export class SpendPolicy {
  readonly #ledger: SpendLedger;
  readonly #limits: SpendLimits;
  readonly #onHit: (scope: SpendScope) => void;

  constructor(ledger: SpendLedger, limits: SpendLimits, onHit: (scope: SpendScope) => void = () => undefined) {
    this.#ledger = ledger;
    this.#limits = limits;
    this.#onHit = onHit;
  }

  /** A review counts against its installation and its PR author (GitHub logins are case-insensitive). */
  forReview(installationId: number, author: string, log?: Logger): SpendGate {
    return new SpendGate(
      this.#ledger,
      [
        { scope: "installation", id: String(installationId), ...this.#limits.installation },
        { scope: "author", id: author.toLowerCase(), ...this.#limits.author },
      ],
      { onHit: this.#onHit, log },
    );
  }

  /** An answer counts against its installation's `ask` ceiling and the installation's total. */
  forAsk(installationId: number, log?: Logger): SpendGate {
    return new SpendGate(
      this.#ledger,
      [
        { scope: "installation", id: String(installationId), ...this.#limits.installation },
        { scope: "ask", id: String(installationId), ...this.#limits.ask },
      ],
      { onHit: this.#onHit, log },
    );
  }
}
