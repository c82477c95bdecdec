// The shapes both dialects' import writers share; key-import-writer.ts picks one per database.

export interface ImportedKeyRow {
  ciphertext: Buffer;
  keyId: string;
  fingerprint: Buffer;
  costMinor: number | null;
  expiresAt: string | null;
}

export interface ImportBatchRef {
  accountId: string;
  poolId: string;
  /** the batch row, already inserted with status `importing` */
  batchId: string;
}

/** A row left out because its fingerprint is already taken in the account: by an earlier line of this batch, or by stock from before. */
export interface SkippedRow {
  index: number;
  where: "inFile" | "inStock";
}

/**
 * Writes one import's keys so that all of them become sellable at once, or none ever do — each
 * dialect the fastest way it can keep that promise (see the two implementations).
 */
export interface KeyImportWriter {
  /** Writes rows in the given (file) order; the first copy of a fingerprint wins. Calls must not overlap. */
  write(rows: ImportedKeyRow[]): Promise<SkippedRow[]>;
  /** Makes every written key available and the batch active with `keyCount` keys, as one step. */
  commit(keyCount: number): Promise<void>;
  /** Removes whatever was written; the batch ends `aborted`. Safe after a failed write. */
  abort(): Promise<void>;
}
