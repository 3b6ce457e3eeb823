/** A book's rule: a pattern over payee, memo and note that sets a label (and maybe account and note). */
export interface Rule {
  /** Storage id: stable, what a match reports. */
  id: number;
  /** The number users see and delete by (`/rule delete 3`), per book. */
  seq: number;
  pattern: string;
  /** Label name without `#`, lower case. */
  label: string;
  accountId?: number | null | undefined;
  note?: string | null | undefined;
}

/** What a rule says about a row or an entry. */
export interface RuleMatch {
  ruleId: number;
  seq: number;
  label: string;
  accountId?: number;
  note?: string;
}

/** The texts a rule looks at; missing ones count as empty. */
export interface RuleSubject {
  payee?: string | null | undefined;
  memo?: string | null | undefined;
  note?: string | null | undefined;
}
