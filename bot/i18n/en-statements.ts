/** English texts of the bank statement flow (issue 17). */
export const enStatements = {
  'error.statement_expired': 'That statement is no longer waiting (imported, cancelled, or sent over a day ago). Send the file again with /import.',
  'error.statement_currency': 'The statement is in {{currency}}, but @{{account}} keeps {{accountCurrency}}. Choose an account in {{currency}}, or add one: /account add Name {{currency}}',
  'statement.ask_account': '{{format}} statement{{bank}}, {{rows}} transactions. Which account is it? COIN remembers the answer for the next statement.',
  'statement.ask_account_csv': 'Bank CSV, {{rows}} transactions, read as /import map {{mapping}}\nWhich account is it? COIN remembers the account and these columns (to read other columns, send /import map with them).',
  'statement.ask_mapping': 'Bank CSV: which column holds what? The header: {{header}}. Answer with /import map date=1 amount=3 payee=2 (columns by number or name; debit= and credit= instead of amount=; format=DD.MM.YYYY decimal=, thousands=.).',
  'statement.mapping_problem': 'Read as /import map {{mapping}}\n{{problem}}',
  'statement.labelled': ' Rules label {{count}} of them ({{rules}}).',
  'statement.by_rule': '#{{label}} by rule {{seq}}: {{count}}',
  'statement.nothing_new': '{{format}} statement, {{rows}} transactions, compared with @{{account}}: all {{imported}} are imported already. Nothing to do.',
  'statement.button.import': 'Import',
  'statement.button.merge': 'Import and merge twins',
  'statement.button.cancel': 'Cancel',
  'statement.imported': 'Imported into @{{account}}: {{created}} new, {{merged}} merged with records you typed, {{skipped}} there already.',
  'statement.cancelled': 'Cancelled; nothing was imported.',
} as const;
