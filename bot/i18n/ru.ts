import type { MessageKey } from './en.js';
import { ruStats } from './ru-stats.js';
import { ruWeb } from './ru-web.js';

/** Russian plural categories (CLDR): 1, 21 → one; 2–4, 22 → few; 5–20, 11 → many. */
type Plural = 'one' | 'few' | 'many' | 'other';

/**
 * A key of `en`, or its Russian plural form: where English says "{{count}} records", Russian
 * needs `_one` / `_few` / `_many` / `_other` variants, which i18next picks from `count`.
 */
export type RuKey = MessageKey | `${MessageKey}_${Plural}`;

/**
 * Russian texts. Every key of `en` is here, as itself or as its plural forms (ru.test.ts checks
 * both directions and the `{{variables}}`); a key still missing at run time falls back to English.
 * Role names in other messages go through `$t(role.…)` so they are translated too.
 */
export const ru: Partial<Record<RuKey, string>> = {
  // statistics, charts, budgets, rates, CSV
  ...ruStats,
  // the web app and /app (issue 15)
  ...ruWeb,

  // errors (DomainError codes)
  'error.amount_empty': 'Сначала напишите сумму, например: 12.50 кофе',
  'error.amount_invalid': '«{{text}}» — не сумма. Пишите так: 12.50, 12,5, 1 234.56, €12 или 12 usd.',
  'error.amount_zero': 'Сумма не может быть нулевой.',
  'error.amount_negative': 'Пишите суммы без минуса: /spend для расходов, /income для доходов.',
  'error.amount_too_large': 'Слишком большая сумма (предел — 1,000,000,000,000).',
  'error.amount_too_precise': 'У {{currency}} знаков после запятой: {{digits}}; пишите не больше {{digits}}.',
  'error.currency_unknown': '«{{currency}}» — незнакомый код валюты. Используйте коды ISO 4217: EUR, USD, JPY.',
  'error.currency_mismatch': 'Счёт {{account}} в {{accountCurrency}}, а не в {{currency}}. Выберите счёт в {{currency}} через @название или добавьте его: /account add Название {{currency}}',
  'error.date_invalid': '«{{date}}» — неверная дата. Пишите today, yesterday, 2026-11-24, 24.11 или 24.11.2026.',
  'error.export_too_large': 'Слишком много записей для одного файла в чате (больше {{max}}). Выгрузите период покороче, например /export {{year}} или /export last-month.',
  'error.period_invalid': '«{{period}}» — не период. Пишите today, yesterday, week, month, year, last-week, last-month, last-year, 2026, 2026-11 или 2026-11-01..2026-11-15.',
  'error.timezone_invalid': '«{{timezone}}» — не часовой пояс. Используйте имя IANA, например Europe/Moscow или Asia/Almaty.',
  'error.language_invalid': 'Языки: {{languages}}.',
  'error.account_unknown': 'Счёта «{{account}}» нет. Счета: {{accounts}}.',
  'error.account_exists': 'Счёт «{{account}}» уже есть.',
  'error.account_in_use_one': 'На этом счёте ещё {{count}} запись; сначала перенесите или удалите её.',
  'error.account_in_use_few': 'На этом счёте ещё {{count}} записи; сначала перенесите или удалите их.',
  'error.account_in_use_many': 'На этом счёте ещё {{count}} записей; сначала перенесите или удалите их.',
  'error.account_in_use_other': 'На этом счёте ещё {{count}} записи; сначала перенесите или удалите их.',
  'error.account_name_invalid': '«{{account}}» не годится для названия счёта: до 32 букв, цифр, пробелов, - или _, начиная с буквы или цифры.',
  'error.account_last': 'В книге должен остаться хотя бы один счёт.',
  'error.label_unknown': 'Метки #{{label}} нет.',
  'error.label_invalid': '«{{label}}» не годится для метки: до 32 букв, цифр, - или _ (и не занятое имя).',
  'error.event_unknown': 'Записи #{{seq}} в этой книге нет.',
  'error.event_not_yours': 'Менять можно только свои записи; попросите администратора.',
  'error.edit_field_invalid': 'Можно изменить: {{fields}}. Пример: /edit #12 amount 4.80',
  'error.nothing_to_undo': 'Нечего отменять: у вас здесь ещё нет записей.',
  'error.transfer_same_account': 'Для перевода выберите два разных счёта.',
  'error.transfer_invalid': 'Перевод пишется так: /transfer 100 Наличные Карта [заметка]; между валютами укажите обе суммы: /transfer 100 usd 92 eur Доллары Евро',
  'error.schedule_invalid': '«{{schedule}}» — не расписание. Пишите daily, weekly:mon, monthly:1, monthly:last, yearly:12-24, every:2w или rrule:FREQ=…, можно с at:HH:MM.',
  'error.template_unknown': 'Шаблона {{id}} нет.',
  'error.budget_invalid': 'Бюджет пишется так: /budget #food 300 [monthly|weekly] или /budget total 2000.',
  'error.budget_unknown': 'Бюджета для {{label}} нет.',
  'error.forbidden': 'Ваша роль ($t(role.{{role}})) здесь этого не позволяет; нужна роль «$t(role.{{needed}})».',
  'error.private_only': 'Ради безопасности эта команда работает только в личном чате со мной.',
  'error.group_only': 'Эта команда работает только в группе.',
  'error.usage': 'Как писать: {{usage}}',
  'error.unknown_command': 'Команды /{{command}} я не знаю. Список: /help',
  'error.csv_invalid': 'CSV не загружен, ничего не изменилось. Ошибки: {{problems}}',
  'error.link_code_invalid': 'Код связи неверный или устарел; получите новый командой /link.',
  'error.member_unknown': 'Участника «{{member}}» в этой книге нет.',
  'error.last_owner': 'У книги должен остаться хотя бы один владелец.',
  'error.rate_limited': 'Не так быстро: попробуйте через {{seconds}} с.',
  'error.split_invalid': '«{{split}}» — не разделение. Пишите split, split:@ann,@bob, split:@ann*2,@bob или split:@ann=30,@bob.',
  'error.token_unknown': 'Токена {{id}} нет.',
  'error.not_found': 'Не найдено.',
  'error.unexpected': 'Извините, у меня что-то сломалось. Ничего не изменилось. Код для поддержки: {{ref}}',

  // records
  'record.expense': '#{{seq}} −{{amount}}',
  'record.income': '#{{seq}} +{{amount}}',
  'record.transfer': '#{{seq}} {{amount}} {{from}} → {{to}}',
  'record.balance': '{{account}}: {{balance}}',
  'record.undo': 'Отменить',
  'record.restore': 'Вернуть',
  'record.undone': 'Отменено #{{seq}} ({{what}}). {{account}}: {{balance}}',
  'record.deleted': 'Удалено #{{seq}} ({{what}}).',
  'record.restored': 'Возвращено #{{seq}} ({{what}}).',
  'record.edited': 'Изменено #{{seq}}: {{what}}',
  'record.quick_hint': 'Чтобы записать, напишите сумму и заметку: 4.50 кофе (расход) или +2500 зарплата (доход). /help покажет всё.',

  // history
  'history.empty': 'Записей пока нет.',
  'history.title_one': 'Последняя {{count}} запись',
  'history.title_few': 'Последние {{count}} записи',
  'history.title_many': 'Последние {{count}} записей',
  'history.title_other': 'Последние {{count}} записи',
  'history.title_period': 'Записи, {{period}}',

  // accounts
  'accounts.title': 'Счета',
  'accounts.empty': 'Счетов пока нет. Первая запись создаст «Main», или добавьте счёт: /account add Наличные RUB 100',
  'accounts.default': 'основной',
  'account.added': 'Добавлен счёт {{account}} ({{currency}}), остаток {{balance}}.',
  'account.renamed': 'Счёт {{from}} переименован в {{to}}.',
  'account.deleted': 'Счёт {{account}} удалён.',
  'account.default_set': '{{account}} теперь основной счёт.',

  // labels
  'labels.title': 'Метки, {{period}}',
  'labels.empty': 'Меток пока нет. Добавьте метку к записи: /spend 12 #еда',
  'label.renamed': 'Метка #{{from}} переименована в #{{to}}.',
  'label.merged': 'Метка #{{from}} объединена с #{{to}}.',
  'label.deleted': 'Метка #{{label}} удалена (записи остались, без неё).',

  // settings
  'settings.currency': 'Валюта книги теперь {{currency}}. У существующих счетов валюта прежняя.',
  'settings.timezone': 'Часовой пояс теперь {{timezone}} (там сейчас {{time}}).',
  'settings.language': 'Язык: русский.',

  // start / help
  'start.greeting': 'Привет, {{name}}! Я COIN, веду бюджет этого чата.',
  'start.state': 'Книга: {{title}} · {{currency}} · {{timezone}}. В этом месяце: потрачено {{spent}}, получено {{earned}}.',
  'start.how': 'Записывайте так: 4.50 кофе, +2500 зарплата, /spend 12 #еда @карта yesterday обед. /help — все команды.',
  'help.title': 'Команды',
  'help.command': '{{usage}}\n{{description}}',

  // API tokens (/token, /tokens, /revoke)
  'tokens.issued': 'Ваш API-токен «{{name}}» (id {{id}}) действует до {{expires}}. Он показывается только сейчас: скопируйте его и храните в секрете. Передавайте его в заголовке Authorization: Bearer <токен>. /revoke {{id}} отключает его сразу.',
  'tokens.title': 'Ваши API-токены',
  'tokens.columns': 'id|название|создан|использован|истекает',
  'tokens.empty': 'У вас нет API-токенов. Создайте токен: /token [название].',
  'tokens.never': 'никогда',
  'tokens.expired': 'истёк',
  'tokens.revoked': 'Токен {{id}} ({{name}}) отозван и больше не работает.',
  'tokens.revoked_all': 'Отозвано токенов: {{count}}. Они больше не работают.',

  // Group budgets (/members, /role, /link, split, /balances, /settle)
  'role.owner': 'владелец',
  'role.admin': 'администратор',
  'role.member': 'участник',
  'role.viewer': 'наблюдатель',
  'members.title': 'Участники книги {{title}}, траты за {{period}}',
  'members.role_changed': '{{member}}: теперь роль «{{role}}» (была «{{from}}»).',
  'members.role_unchanged': '{{member}}: роль уже «{{role}}».',
  'error.member_unknown_ambiguous': '«{{member}}» — это может быть {{candidates}}; напишите @имя_пользователя.',
  'link.code_book': 'Код связи: {{code}} (одноразовый, действует {{minutes}} мин.). Администратор другого чата (другой группы Telegram или канала Discord) отправляет там: /link {{code}}. В том чате ещё не должно быть записей; после этого оба чата ведут эту книгу.',
  'link.code_identity': 'Ваш код связи: {{code}} (одноразовый, действует {{minutes}} мин.). Отправьте /link {{code}} мне в личный чат на другой платформе (Telegram или Discord): оба аккаунта станут одним, с этой личной книгой.',
  'link.linked_book_one': 'Связано: этот чат теперь ведёт книгу «{{title}}» (в ней {{count}} чат).',
  'link.linked_book_few': 'Связано: этот чат теперь ведёт книгу «{{title}}» (в ней {{count}} чата).',
  'link.linked_book_many': 'Связано: этот чат теперь ведёт книгу «{{title}}» (в ней {{count}} чатов).',
  'link.linked_book_other': 'Связано: этот чат теперь ведёт книгу «{{title}}» (в ней {{count}} чата).',
  'link.unlinked': 'Связь снята: записи остаются в книге «{{left}}» (в ней чатов: {{count}}). Этот чат начинает новую пустую книгу «{{title}}» ({{currency}}, {{timezone}}), её владелец — вы.',
  'link.unlinked_identity': 'Связь снята: этот аккаунт снова сам по себе, с новой пустой личной книгой «{{title}}». Всё записанное остаётся за вашим аккаунтом {{platform}}.',
  'error.unlink_alone': 'Отвязывать нечего: этот чат — единственный в своей книге, а этот аккаунт ни с кем не связан.',
  'link.linked_identity': 'Связано: ваши аккаунты теперь один, и этот чат показывает вашу личную книгу «{{title}}».',
  'error.link_code_invalid_same_book': 'Этот чат уже ведёт эту книгу; связывать нечего.',
  'error.link_code_invalid_has_data': 'В этом чате уже есть свои записи, бюджеты или деньги на счетах, и связь скрыла бы их, поэтому ничего не изменилось. Введите код в чате без записей или выполните /link здесь и введите этот код в другом чате.',
  'error.link_code_invalid_wrong_chat_book': 'Этот код связывает групповые чаты: администратор отправляет /link <код> в другой группе или канале Discord.',
  'error.link_code_invalid_wrong_chat_identity': 'Этот код связывает ваши аккаунты: отправьте /link <код> мне в личный чат на другой платформе.',
  'error.link_code_invalid_same_user': 'Эти аккаунты уже связаны.',
  'error.link_code_invalid_same_platform': 'У обоих аккаунтов есть {{platform}}; с каждой платформы можно связать только один аккаунт.',
  'error.split_invalid_alone': 'Здесь пока не с кем делить: участники появляются в книге, когда пишут в этот чат. (Чтобы написать слово «split» в заметке, возьмите его в кавычки.)',
  'error.split_invalid_self': 'Нельзя рассчитаться с самим собой.',
  'error.split_invalid_mismatch': 'Суммы в «{{split}}» не сходятся с итогом. Оставьте кого-нибудь без =суммы, чтобы на него пришёл остаток.',
  'error.split_invalid_exceeds_total': 'Суммы в «{{split}}» больше итога.',
  'split.shares': 'Поделено, платил(а) {{payer}}: {{shares}}',
  'balances.title': 'Долги в {{currency}}',
  'balances.empty': 'Поделённых расходов пока нет. Поделите расход: /spend 90 #ужин split',
  'balances.square': 'Все в расчёте.',
  'balances.plan': 'Чтобы рассчитаться:',
  'balances.transfer': '{{from}} → {{to}}: {{amount}}',
  'settle.done': '{{from}} отдал(а) {{to}} {{amount}}.',
  'settle.nothing': 'Вы ничего не должны участнику {{member}}. /balances покажет, кто кому должен.',
  'settle.you_owe': 'Вы ещё должны {{amount}}.',
  'settle.you_are_owed': 'Вам должны {{amount}}.',
  'settle.you_square': 'В {{currency}} вы в расчёте.',
  'settle.undo': 'Отменить',
  'settle.undone': 'Отменено: {{from}} отдал(а) {{to}} {{amount}}.',
  // Recurring templates (/template, /templates, worker notifications)
  'template.added': 'Шаблон {{id}} добавлен: {{record}}, {{schedule}}. Следующая запись: {{next}} ({{timezone}}).',
  'template.list_title': 'Шаблоны (время по {{timezone}}):',
  'template.list_empty': 'Шаблонов пока нет. Добавьте: /template add monthly:1 500 #аренда (+ перед суммой — доход).',
  'template.col_id': 'id',
  'template.col_next': 'когда',
  'template.col_schedule': 'расписание',
  'template.col_record': 'запись',
  'template.status_paused': 'на паузе',
  'template.status_ended': 'завершён',
  'template.paused': 'Шаблон {{id}} на паузе: ничего не записывается до /template resume {{id}}.',
  'template.resumed': 'Шаблон {{id}} снова работает. Следующая запись: {{next}} ({{timezone}}).',
  'template.resumed_ended': 'Шаблон {{id}} снова включён, но у его расписания больше нет дат.',
  'template.deleted': 'Шаблон {{id}} удалён; сделанные им записи остаются.',
  'template.applied': 'Записано по шаблонам:',
  'template.applied_missed': 'Записано по шаблонам, включая пропущенные, пока я был недоступен ({{count}}):',
  'template.applied_more': '…и ещё {{count}}.',
  'template.failed': 'Шаблон {{id}} ({{record}}) не удалось записать, он поставлен на паузу: {{reason}} Исправьте и выполните /template resume {{id}}.',
};
