/**
 * English texts. Keys are shared with every language file (a test checks that each key exists
 * in all of them); `{{name}}` is interpolated by i18next.
 */
export const en = {
  // errors (DomainError codes)
  'error.amount_empty': 'Write an amount first, for example: 12.50 coffee',
  'error.amount_invalid': '“{{text}}” is not an amount. Write it like 12.50, 12,5, 1 234.56, €12 or 12 usd.',
  'error.amount_zero': 'The amount cannot be zero.',
  'error.amount_negative': 'Write amounts without a minus: /spend for expenses, /income for incomes.',
  'error.amount_too_large': 'That amount is too large (the limit is 1,000,000,000,000).',
  'error.amount_too_precise': '{{currency}} has {{digits}} decimal places; write at most {{digits}} digits after the decimal mark.',
  'error.currency_unknown': '“{{currency}}” is not a currency code I know. Use ISO 4217 codes like EUR, USD, JPY.',
  'error.currency_mismatch': 'Account {{account}} is in {{accountCurrency}}, not {{currency}}. Pick an account in {{currency}} with @name, or add one: /account add Name {{currency}}',
  'error.date_invalid': '“{{date}}” is not a valid date. Use today, yesterday, 2026-11-24, 24.11 or 24.11.2026.',
  'error.period_invalid': '“{{period}}” is not a period. Use today, yesterday, week, month, year, last-week, last-month, last-year, 2026, 2026-11 or 2026-11-01..2026-11-15.',
  'error.timezone_invalid': '“{{timezone}}” is not a time zone. Use an IANA name like Europe/Berlin or America/New_York.',
  'error.language_invalid': 'Languages: {{languages}}.',
  'error.account_unknown': 'There is no account “{{account}}”. Accounts: {{accounts}}.',
  'error.account_exists': 'An account named “{{account}}” already exists.',
  'error.account_in_use': 'This account still has {{count}} records; move or delete them first.',
  'error.account_name_invalid': '“{{account}}” cannot be an account name: use up to 32 letters, digits, spaces, - or _, starting with a letter or digit.',
  'error.account_last': 'A book needs at least one account.',
  'error.label_unknown': 'There is no label #{{label}}.',
  'error.label_invalid': '“{{label}}” cannot be a label: use up to 32 letters, digits, - or _ (and not one that exists already).',
  'error.event_unknown': 'There is no record #{{seq}} in this book.',
  'error.event_not_yours': 'You can only change your own records; ask an admin.',
  'error.edit_field_invalid': 'You can edit: {{fields}}. Example: /edit #12 amount 4.80',
  'error.nothing_to_undo': 'Nothing to undo: you have no records here yet.',
  'error.transfer_same_account': 'Pick two different accounts to transfer between.',
  'error.transfer_invalid': 'Write a transfer as /transfer 100 Cash Card [note]; between currencies give both amounts: /transfer 100 usd 92 eur Dollars Euros',
  'error.schedule_invalid': '“{{schedule}}” is not a schedule. Use daily, weekly:mon, monthly:1, monthly:last, yearly:12-24, every:2w or rrule:FREQ=…, optionally with at:HH:MM.',
  'error.template_unknown': 'There is no template {{id}}.',
  'error.budget_invalid': 'Write a budget as /budget #food 300 [monthly|weekly] or /budget total 2000.',
  'error.budget_unknown': 'There is no budget for {{label}}.',
  'error.forbidden': 'Your role ({{role}}) cannot do that here; it needs {{needed}}.',
  'error.private_only': 'For your safety this command works only in a private chat with me.',
  'error.group_only': 'This command works only in a group.',
  'error.usage': 'Usage: {{usage}}',
  'error.unknown_command': 'I do not know /{{command}}. Send /help for the list.',
  'error.csv_invalid': 'The CSV was not imported; nothing changed. Problems: {{problems}}',
  'error.link_code_invalid': 'That link code is wrong or has expired; ask for a new one with /link.',
  'error.member_unknown': 'There is no member “{{member}}” in this book.',
  'error.last_owner': 'The book must keep at least one owner.',
  'error.rate_limited': 'Slow down a little: try again in {{seconds}} s.',
  'error.split_invalid': '“{{split}}” is not a split. Use split, split:@ann,@bob, split:@ann*2,@bob or split:@ann=30,@bob.',
  'error.token_unknown': 'There is no token {{id}}.',
  'error.not_found': 'Not found.',
  'error.unexpected': 'Sorry, something went wrong on my side. Nothing was changed. Reference: {{ref}}',

  // records
  'record.expense': '#{{seq}} −{{amount}}',
  'record.income': '#{{seq}} +{{amount}}',
  'record.transfer': '#{{seq}} {{amount}} {{from}} → {{to}}',
  'record.balance': '{{account}}: {{balance}}',
  'record.undo': 'Undo',
  'record.restore': 'Restore',
  'record.undone': 'Undone #{{seq}} ({{what}}). {{account}}: {{balance}}',
  'record.deleted': 'Deleted #{{seq}} ({{what}}).',
  'record.restored': 'Restored #{{seq}} ({{what}}).',
  'record.edited': 'Changed #{{seq}}: {{what}}',
  'record.quick_hint': 'To record, write an amount and a note: 4.50 coffee (expense) or +2500 salary (income). /help shows everything.',

  // history
  'history.empty': 'No records yet.',
  'history.title': 'Last {{count}} records',
  'history.title_period': 'Records, {{period}}',

  // accounts
  'accounts.title': 'Accounts',
  'accounts.empty': 'No accounts yet. The first record creates “Main”, or add one: /account add Cash EUR 100',
  'accounts.default': 'default',
  'account.added': 'Added account {{account}} ({{currency}}), balance {{balance}}.',
  'account.renamed': 'Renamed {{from}} to {{to}}.',
  'account.deleted': 'Deleted account {{account}}.',
  'account.default_set': '{{account}} is now the default account.',

  // labels
  'labels.title': 'Labels, {{period}}',
  'labels.empty': 'No labels yet. Add one to a record: /spend 12 #food',
  'label.renamed': 'Renamed #{{from}} to #{{to}}.',
  'label.merged': 'Merged #{{from}} into #{{to}}.',
  'label.deleted': 'Deleted #{{label}} (the records stay, without it).',

  // settings
  'settings.currency': 'Book currency is now {{currency}}. Existing accounts keep their currency.',
  'settings.timezone': 'Time zone is now {{timezone}} (it is {{time}} there).',
  'settings.language': 'Language: English.',

  // start / help
  'start.greeting': 'Hi {{name}}! I am COIN, I keep this chat’s budget.',
  'start.state': 'Book: {{title}} · {{currency}} · {{timezone}}. This month: spent {{spent}}, earned {{earned}}.',
  'start.how': 'Record by writing: 4.50 coffee, +2500 salary, /spend 12 #food @card yesterday lunch. /help lists all commands.',
  'help.title': 'Commands',
  'help.command': '{{usage}}\n{{description}}',
} as const;

export type MessageKey = keyof typeof en;
