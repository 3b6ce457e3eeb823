/** What a receipt was read as, kept with the scan until it is recorded or cancelled. */
export interface ReceiptProposal {
  /** Minor units of `currency`, when the reader was sure of the total. */
  totalMinor?: number | undefined;
  /** The best candidate when it was not (the reply asks about it). */
  guessMinor?: number | undefined;
  /** 0…1. */
  confidence: number;
  /** `YYYY-MM-DD` printed on the receipt. */
  date?: string | undefined;
  merchant?: string | undefined;
  /** The label past records of this merchant carry most often. */
  label?: string | undefined;
  /** The book's currency the amounts are in. */
  currency: string;
  /** A different currency printed next to the total (told, not converted). */
  printedCurrency?: string | undefined;
}

export type ReceiptState = 'reading' | 'proposed' | 'recorded';

export interface ReceiptScan {
  id: number;
  bookId: number;
  userId: number;
  platform: string;
  chatId: string;
  state: ReceiptState;
  mime: string;
  proposal?: ReceiptProposal | undefined;
  eventId?: number | undefined;
}

/** A scan as the worker reads it: the image and what it needs of the book. */
export interface ScanToRead extends ReceiptScan {
  image: Buffer;
  currency: string;
  language: string;
}

export interface NewScan {
  /** When it arrived (the caller's clock): a scan still `reading` long after is stale. */
  at: Date;
  bookId: number;
  userId: number;
  platform: string;
  chatId: string;
  image: Buffer;
  mime: string;
}

/** Receipt photos and their proposals; every chat-facing method is scoped to one book. */
export interface ReceiptStore {
  /**
   * Holds a new photo for reading. Undefined when the chat has one being read already (one OCR
   * job per chat); a scan still `reading` since before `staleBefore` (its worker died) is dropped first.
   */
  startReceiptScan(scan: NewScan, staleBefore: Date): Promise<number | undefined>;
  receiptScan(bookId: number, id: number): Promise<ReceiptScan | undefined>;
  /** Proposed → recorded, with the record it became; false when it was not `proposed` any more. */
  attachReceipt(bookId: number, id: number, eventId: number): Promise<boolean>;
  /** Forgets a scan that did not become a record (cancelled); false when there was none to forget. */
  dropReceiptScan(bookId: number, id: number): Promise<boolean>;
  /** The photo of record `#seq`, while the record exists. */
  receiptOfRecord(bookId: number, seq: number): Promise<{ image: Buffer; mime: string } | undefined>;
  /** Which of these records have a photo. */
  recordsWithReceipt(bookId: number, seqs: readonly number[]): Promise<Set<number>>;
  /** The label records whose note names this merchant carry most often (none: undefined). */
  merchantLabel(bookId: number, merchant: string): Promise<string | undefined>;
}

/** The worker's side: not scoped to a book (the job names the scan), never reachable from a chat. */
export interface ReceiptWorkStore {
  scanToRead(id: number): Promise<ScanToRead | undefined>;
  /** Reading → proposed, the kept image replacing the original; false when it was not `reading`. */
  proposeReceipt(id: number, proposal: ReceiptProposal, image: Buffer, mime: string): Promise<boolean>;
  /** Forgets a scan that could not be read. */
  failReceiptScan(id: number): Promise<void>;
  merchantLabel(bookId: number, merchant: string): Promise<string | undefined>;
}
