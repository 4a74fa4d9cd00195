/** What a ceiling bounds: all model spend of an installation, one PR author's reviews, or `ask` answers of an installation. */
export type SpendScope = "installation" | "author" | "ask";

/** One daily ceiling as it applies to a request; a limit of 0 is no limit on that measure. */
export interface Ceiling {
  scope: SpendScope;
  /** The installation id, or the PR author's login (lower-cased). */
  id: string;
  usd: number;
  tokens: number;
}

/** What a ceiling has left today: `Infinity` on a measure it does not bound. */
export interface Headroom {
  ceiling: Ceiling;
  usd: number;
  tokens: number;
}

/**
 * Daily model spend, counted per ceiling in a UTC-day window and shared by every
 * process of a deployment (the embedded store, or Redis). Counting is the ledger's;
 * the limits come with each call, so changing them takes a restart, not a migration.
 */
export interface SpendLedger {
  /** What each ceiling has left in the current UTC day. */
  remaining(ceilings: readonly Ceiling[]): Promise<Headroom[]>;
  /** Adds `usd` and `tokens` to each ceiling's count for the current UTC day, atomically per ceiling. */
  charge(ceilings: readonly Ceiling[], usd: number, tokens: number): Promise<void>;
  /** Releases its connection (Redis); the embedded store is closed by its owner. */
  close(): Promise<void>;
}

/** `2026-12-02`: the UTC day a charge counts in. */
export const utcDay = (now = Date.now()): string => new Date(now).toISOString().slice(0, 10);

/** The storage key of a ceiling's count: scope and id, the day kept apart. */
export const ceilingKey = (ceiling: Pick<Ceiling, "scope" | "id">): string => `${ceiling.scope}:${ceiling.id}`;

/** Headroom from what was spent today. */
export function headroomOf(ceiling: Ceiling, spent: { usd: number; tokens: number }): Headroom {
  return {
    ceiling,
    usd: ceiling.usd > 0 ? Math.max(0, ceiling.usd - spent.usd) : Infinity,
    tokens: ceiling.tokens > 0 ? Math.max(0, ceiling.tokens - spent.tokens) : Infinity,
  };
}
