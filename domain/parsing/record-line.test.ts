import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { parseQuickEntry, parseRecordLine, type RecordContext } from './record-line.js';

const NOW = new Date('2026-01-02T10:00:00Z'); // Friday 2 January, 11:00 in Berlin

const ctx: RecordContext = {
  accounts: [
    { name: 'Cash', currency: 'EUR' },
    { name: 'Card', currency: 'EUR' },
    { name: 'Credit Card', currency: 'EUR' },
    { name: 'Dollars', currency: 'USD' },
    { name: 'Dinars', currency: 'BHD' },
  ],
  defaultAccount: 'Cash',
  labels: ['food', 'Rent', 'coffee', 'café'],
  now: NOW,
  timezone: 'Europe/Berlin',
  bookCurrency: 'EUR',
};

const with_ = (over: Partial<RecordContext>): RecordContext => ({ ...ctx, ...over });

function recordError(text: string, c: RecordContext = ctx): DomainError {
  try {
    parseRecordLine(text, c);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`expected "${text}" to be refused`);
}

describe('parseRecordLine: the parts', () => {
  it('GIVEN only an amount THEN no labels, account, date or note', () => {
    expect(parseRecordLine('12.50', ctx)).toEqual({
      minor: 1250,
      currency: 'EUR',
      labels: [],
      account: undefined,
      occurredAt: undefined,
      note: '',
    });
  });

  it('GIVEN a full line THEN every part is read', () => {
    expect(parseRecordLine('1 234,50 #food @card yesterday big family dinner', ctx)).toEqual({
      minor: 123450,
      currency: 'EUR',
      labels: ['food'],
      account: 'Card',
      occurredAt: new Date('2026-01-01T10:00:00Z'),
      note: 'big family dinner',
    });
  });

  it.each([
    '12 lunch #food @card yesterday',
    '12 yesterday @Card #food lunch',
    '12 @CARD lunch yesterday #food',
    '12 #food yesterday lunch @card',
    '€12 #food @card lunch yesterday',
    '12 eur @card #food yesterday lunch',
  ])('GIVEN the parts in any order (%s) THEN the same record', (line) => {
    expect(parseRecordLine(line, ctx)).toEqual({
      minor: 1200,
      currency: 'EUR',
      labels: ['food'],
      account: 'Card',
      occurredAt: new Date('2026-01-01T10:00:00Z'),
      note: 'lunch',
    });
  });

  it('GIVEN note words around other parts THEN they keep their order, single-spaced', () => {
    expect(parseRecordLine('12   lunch  #food at   @card the  office', ctx).note).toBe('lunch at the office');
  });

  it('GIVEN a quoted note THEN its words are kept', () => {
    expect(parseRecordLine('12 "big  lunch" #food', ctx).note).toBe('big  lunch');
  });
});

describe('parseRecordLine: labels', () => {
  it('GIVEN several labels THEN all, in order, without duplicates', () => {
    expect(parseRecordLine('12 #food #trip #Food #TRIP #kids', ctx).labels).toEqual(['food', 'trip', 'kids']);
  });

  it('GIVEN a label that exists in another case THEN the existing spelling', () => {
    expect(parseRecordLine('800 #rent', ctx).labels).toEqual(['Rent']);
    expect(parseRecordLine('3 #CAFÉ', ctx).labels).toEqual(['café']);
  });

  it('GIVEN a new label THEN it is lower-cased', () => {
    expect(parseRecordLine('12 #Groceries #Über_Taxi #k-12', ctx).labels).toEqual(['groceries', 'über_taxi', 'k-12']);
  });

  it('GIVEN a label of 32 characters THEN it is accepted', () => {
    expect(parseRecordLine(`12 #${'a'.repeat(32)}`, ctx).labels).toEqual(['a'.repeat(32)]);
  });

  it.each(['#', '#a.b', '#food!', `#${'a'.repeat(33)}`, '#food#lunch', '#"two words"'])(
    'GIVEN %s THEN label_invalid names the label as written',
    (token) => {
      const e = recordError(`12 ${token}`);
      expect(e.code).toBe('label_invalid');
      expect(e.context.label).toBe(token.slice(1).replace(/"/g, ''));
    },
  );
});

describe('parseRecordLine: label from the note', () => {
  it('GIVEN the whole note is an existing label THEN it becomes the label and the note is empty', () => {
    expect(parseRecordLine('4.50 coffee', ctx)).toMatchObject({ labels: ['coffee'], note: '' });
    expect(parseRecordLine('800 RENT', ctx)).toMatchObject({ labels: ['Rent'], note: '' });
  });

  it('GIVEN a longer note starting with a label THEN it gets the label and keeps its words', () => {
    expect(parseRecordLine('4.50 coffee with Anna', ctx)).toMatchObject({ labels: ['coffee'], note: 'coffee with Anna' });
  });

  it('GIVEN punctuation after the first word THEN it still matches', () => {
    expect(parseRecordLine('4.50 Coffee, with Anna', ctx)).toMatchObject({ labels: ['coffee'], note: 'Coffee, with Anna' });
  });

  it('GIVEN the note starts after an account and date THEN its first word still counts', () => {
    expect(parseRecordLine('12 @card yesterday food', ctx)).toMatchObject({ labels: ['food'], note: '', account: 'Card' });
  });

  it('GIVEN a #label THEN the note is not searched for one', () => {
    expect(parseRecordLine('12 coffee #food', ctx)).toMatchObject({ labels: ['food'], note: 'coffee' });
  });

  it('GIVEN a note whose first word is no label THEN no label, even when a later word is one', () => {
    expect(parseRecordLine('12 lunch food', ctx)).toMatchObject({ labels: [], note: 'lunch food' });
  });

  it('GIVEN a note word that only contains a label THEN it does not match', () => {
    expect(parseRecordLine('12 coffees', ctx)).toMatchObject({ labels: [], note: 'coffees' });
  });
});

describe('parseRecordLine: accounts', () => {
  it('GIVEN @account in any case THEN the existing name', () => {
    expect(parseRecordLine('5 @cash', ctx).account).toBe('Cash');
    expect(parseRecordLine('5 @DOLLARS', ctx).account).toBe('Dollars');
  });

  it('GIVEN a quoted account name with a space THEN it is found', () => {
    expect(parseRecordLine('5 @"credit card" fuel', ctx)).toMatchObject({ account: 'Credit Card', note: 'fuel' });
    expect(parseRecordLine('5 "@Credit Card" fuel', ctx)).toMatchObject({ account: 'Credit Card', note: 'fuel' });
  });

  it('GIVEN an unknown account THEN account_unknown lists the accounts', () => {
    const e = recordError('5 @bank');
    expect(e.code).toBe('account_unknown');
    expect(e.context).toEqual({ account: 'bank', accounts: ['Cash', 'Card', 'Credit Card', 'Dollars', 'Dinars'] });
  });

  it('GIVEN an account name without its second word THEN it is unknown, not guessed', () => {
    expect(recordError('5 @Credit Card').context.account).toBe('Credit');
  });

  it('GIVEN the same account twice THEN it is fine', () => {
    expect(parseRecordLine('5 @card @Card', ctx).account).toBe('Card');
  });

  it('GIVEN two different accounts THEN usage names both', () => {
    const e = recordError('5 @card @cash');
    expect(e.code).toBe('usage');
    expect(e.context.accounts).toEqual(['Card', 'Cash']);
  });

  it('GIVEN a lone @ THEN it is a note word', () => {
    expect(parseRecordLine('5 coffee @ home', ctx).note).toBe('coffee @ home');
  });
});

describe('parseRecordLine: dates', () => {
  it('GIVEN today THEN now', () => {
    expect(parseRecordLine('5 today', ctx).occurredAt).toEqual(NOW);
  });

  it('GIVEN DD.MM on 2 January THEN 31.12 is last year, at midday in the book timezone', () => {
    expect(parseRecordLine('5 31.12', ctx).occurredAt).toEqual(new Date('2025-12-31T11:00:00Z'));
  });

  it('GIVEN an ISO date THEN midday that day', () => {
    expect(parseRecordLine('5 2025-11-20 fuel', ctx)).toMatchObject({
      occurredAt: new Date('2025-11-20T11:00:00Z'),
      note: 'fuel',
    });
  });

  it('GIVEN two date words THEN the first is the date and the second joins the note', () => {
    expect(parseRecordLine('5 yesterday movie today', ctx)).toMatchObject({
      occurredAt: new Date('2026-01-01T10:00:00Z'),
      note: 'movie today',
    });
    expect(parseRecordLine('5 01.01 31.02', ctx).note).toBe('31.02');
  });

  it.each(['5 31.02', '5 2025-13-01 fuel', '5 29.02.2025'])('GIVEN an impossible date (%s) THEN date_invalid', (line) => {
    expect(recordError(line).code).toBe('date_invalid');
  });

  it('GIVEN numbers in the note that are not dates THEN they stay in the note', () => {
    expect(parseRecordLine('5 beer 0.5 x2 1.5', ctx)).toMatchObject({ occurredAt: undefined, note: 'beer 0.5 x2 1.5' });
  });
});

describe('parseRecordLine: currency and account choice', () => {
  it('GIVEN no currency THEN the @account currency', () => {
    expect(parseRecordLine('12 @dollars', ctx)).toMatchObject({ minor: 1200, currency: 'USD', account: 'Dollars' });
  });

  it('GIVEN no currency and no @account THEN the default account currency', () => {
    expect(parseRecordLine('12', with_({ defaultAccount: 'Dollars' }))).toMatchObject({ currency: 'USD', account: undefined });
  });

  it('GIVEN no accounts at all THEN the book currency', () => {
    expect(parseRecordLine('12', with_({ accounts: [], defaultAccount: undefined, bookCurrency: 'JPY' }))).toMatchObject({
      minor: 12,
      currency: 'JPY',
      account: undefined,
    });
  });

  it('GIVEN the currency matches the @account THEN both are kept', () => {
    expect(parseRecordLine('12 usd @dollars', ctx)).toMatchObject({ currency: 'USD', account: 'Dollars' });
  });

  it('GIVEN a currency that differs from the @account THEN currency_mismatch', () => {
    const e = recordError('12 usd @card');
    expect(e.code).toBe('currency_mismatch');
    expect(e.context).toEqual({ currency: 'USD', account: 'Card', accountCurrency: 'EUR' });
  });

  it('GIVEN a currency only one account holds THEN that account is picked', () => {
    expect(parseRecordLine('$12 lunch', ctx)).toMatchObject({ currency: 'USD', account: 'Dollars', note: 'lunch' });
  });

  it('GIVEN a currency no account holds THEN the account is left to the caller', () => {
    expect(parseRecordLine('12 gbp', ctx)).toMatchObject({ minor: 1200, currency: 'GBP', account: undefined });
  });

  it('GIVEN a currency several accounts hold THEN the account is left to the caller', () => {
    const c = with_({ accounts: [...ctx.accounts, { name: 'US Bank', currency: 'USD' }] });
    expect(parseRecordLine('12 usd', c)).toMatchObject({ currency: 'USD', account: undefined });
  });

  it('GIVEN the default account already holds the currency THEN no other account is picked', () => {
    expect(parseRecordLine('12 eur', with_({ defaultAccount: 'Card' }))).toMatchObject({ currency: 'EUR', account: undefined });
  });

  it('GIVEN "1.500" THEN the account currency decides between thousands and decimals', () => {
    expect(parseRecordLine('1.500', ctx)).toMatchObject({ minor: 150000, currency: 'EUR' });
    expect(parseRecordLine('1.500 @dinars', ctx)).toMatchObject({ minor: 1500, currency: 'BHD' });
  });

  it('GIVEN more decimals than the chosen account allows THEN amount_too_precise', () => {
    const c = with_({ accounts: [{ name: 'Yen', currency: 'JPY' }], defaultAccount: 'Yen' });
    const e = recordError('12.5 sushi', c);
    expect(e.code).toBe('amount_too_precise');
    expect(e.context).toEqual({ currency: 'JPY', digits: 0 });
  });

  it('GIVEN a code that is also a word after the amount THEN it is the note, not a currency', () => {
    expect(parseRecordLine('5 cup coffee', ctx)).toMatchObject({ currency: 'EUR', labels: [], note: 'cup coffee' });
  });
});

describe('parseRecordLine: bad amounts', () => {
  it.each([
    ['', 'amount_empty'],
    ['coffee 12', 'amount_invalid'],
    ['#food 12', 'amount_invalid'],
    ['0 coffee', 'amount_zero'],
    ['-5 coffee', 'amount_negative'],
    ['1000000000001 yacht', 'amount_too_large'],
  ])('GIVEN %j THEN %s', (line, code) => {
    expect(recordError(line).code).toBe(code);
  });
});

describe('parseQuickEntry', () => {
  it.each([
    ['4.50 coffee', '4.50 coffee'],
    ['€3 tea', '€3 tea'],
    ['USD 12 lunch', 'USD 12 lunch'],
    ['  12 lunch  ', '12 lunch'],
    ['1 234 rent', '1 234 rent'],
    ['12coffee', '12coffee'],
  ])('GIVEN %j THEN an expense', (text, line) => {
    expect(parseQuickEntry(text)).toEqual({ kind: 'expense', line });
  });

  it.each([
    ['+2500 salary', '2500 salary'],
    ['+ 20 gift', '20 gift'],
    ['+€20 gift', '€20 gift'],
  ])('GIVEN %j THEN an income without the +', (text, line) => {
    expect(parseQuickEntry(text)).toEqual({ kind: 'income', line });
  });

  it.each(['hello', 'top 5 movies', 'see you at 5', '-5 coffee', '', '+', '+coffee', '#food 5', '/spend 5'])(
    'GIVEN %j THEN not a record',
    (text) => {
      expect(parseQuickEntry(text)).toBeUndefined();
    },
  );

  it('GIVEN an income line THEN it parses as a record', () => {
    const entry = parseQuickEntry('+2500 salary')!;
    expect(parseRecordLine(entry.line, ctx)).toMatchObject({ minor: 250000, note: 'salary' });
  });
});
