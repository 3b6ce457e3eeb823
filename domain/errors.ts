/**
 * Every failure a user can cause has a code; `bot/messages.ts` turns codes into text in one place.
 * `context` carries the values the message needs (never secrets).
 */
export type DomainErrorCode =
  | 'amount_empty'
  | 'amount_invalid'
  | 'amount_zero'
  | 'amount_negative'
  | 'amount_too_large'
  | 'amount_too_precise'
  | 'amount_ambiguous'
  | 'balance_out_of_range'
  | 'idempotency_mismatch'
  | 'currency_unknown'
  | 'currency_mismatch'
  | 'date_invalid'
  | 'date_out_of_range'
  | 'period_invalid'
  | 'timezone_invalid'
  | 'language_invalid'
  | 'account_unknown'
  | 'account_exists'
  | 'account_in_use'
  | 'account_name_invalid'
  | 'account_last'
  | 'label_unknown'
  | 'label_invalid'
  | 'event_unknown'
  | 'event_not_deleted'
  | 'event_not_yours'
  | 'edit_field_invalid'
  | 'nothing_to_undo'
  | 'transfer_same_account'
  | 'transfer_invalid'
  | 'schedule_invalid'
  | 'template_unknown'
  | 'budget_invalid'
  | 'budget_unknown'
  | 'digest_invalid'
  | 'remind_invalid'
  | 'forbidden'
  | 'private_only'
  | 'group_only'
  | 'usage'
  | 'unknown_command'
  | 'csv_invalid'
  | 'statement_invalid'
  | 'rule_invalid'
  | 'rule_unknown'
  | 'export_too_large'
  | 'link_code_invalid'
  | 'unlink_alone'
  | 'member_unknown'
  | 'last_owner'
  | 'rate_limited'
  | 'split_invalid'
  | 'token_unknown'
  | 'not_found';

export type ErrorContext = Record<string, string | number | readonly string[] | undefined>;

/** A failure caused by the user's input or rights; safe to show (through `messageFor`). */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    readonly context: ErrorContext = {},
  ) {
    super(`${code}${Object.keys(context).length ? ' ' + JSON.stringify(context) : ''}`);
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
