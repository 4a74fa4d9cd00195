/**
 * Which files the model may read: text only. A binary (an image, a compiled
 * `.pyc`, a SQLite fixture) costs tokens and says nothing, and decoding it as
 * text produces noise a secret scan cannot read.
 */

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The file's text, or undefined when it is binary: a NUL byte in its first 8 KB, or not UTF-8. */
export function decodeText(bytes: Uint8Array): string | undefined {
  const head = bytes.subarray(0, 8_192);
  if (head.includes(0)) return undefined;
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Caps on what a snapshot keeps and what one tool call may return. */
export interface SnapshotLimits {
  /** Largest file kept (bytes); larger files are listed but not readable. */
  maxFileBytes: number;
  /** Most bytes of text a snapshot keeps in all; past it the snapshot is partial. */
  maxTotalBytes: number;
  /**
   * Redact while extracting, so no secret reaches the disk. Off by default: the scan
   * costs ~1.5 ms a file (30 s for 20,000 files), so reads redact instead, per file read
   * or matched. Either way the model sees only redacted text.
   */
  redactOnWrite?: boolean | undefined;
}

/** 1 MB per file, 300 MB per snapshot: Unstract's backend is ~40 MB of text. */
export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { maxFileBytes: 1_000_000, maxTotalBytes: 300_000_000 };
