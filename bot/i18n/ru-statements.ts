/** Русские тексты загрузки банковских выписок (issue 17). */
export const ruStatements = {
  'error.statement_expired': 'Эта выписка уже не ждёт ответа (загружена, отменена или отправлена больше суток назад). Отправьте файл снова с /import.',
  'error.statement_currency': 'Выписка в {{currency}}, а счёт @{{account}} — в {{accountCurrency}}. Выберите счёт в {{currency}} или добавьте его: /account add Название {{currency}}',
  'statement.ask_account': 'Выписка {{format}}{{bank}}, операций: {{rows}}. Какой это счёт? COIN запомнит ответ для следующих выписок.',
  'statement.ask_account_csv': 'Банковский CSV, операций: {{rows}}, прочитан как /import map {{mapping}}\nКакой это счёт? COIN запомнит счёт и эти столбцы (чтобы прочитать другие столбцы, отправьте /import map с ними).',
  'statement.ask_mapping': 'Банковский CSV: в каком столбце что? Заголовок: {{header}}. Ответьте /import map date=1 amount=3 payee=2 (столбцы по номеру или названию; debit= и credit= вместо amount=; format=DD.MM.YYYY decimal=, thousands=.).',
  'statement.mapping_problem': 'Прочитан как /import map {{mapping}}\n{{problem}}',
  'statement.labelled': ' Правила ставят метки операциям: {{count}} ({{rules}}).',
  'statement.by_rule': '#{{label}} по правилу {{seq}}: {{count}}',
  'statement.nothing_new': 'Выписка {{format}}, операций: {{rows}}, сравнение со счётом @{{account}}: все {{imported}} уже загружены. Делать нечего.',
  'statement.button.import': 'Загрузить',
  'statement.button.merge': 'Загрузить и объединить',
  'statement.button.cancel': 'Отмена',
  'statement.imported': 'Загружено на счёт @{{account}}: новых {{created}}, объединено с введёнными вручную {{merged}}, уже были {{skipped}}.',
  'statement.cancelled': 'Отменено, ничего не загружено.',
} as const;
