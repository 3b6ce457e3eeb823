import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../bot/commands/index.js';
import type { CommandDef } from '../../bot/registry.js';
import { tokenize } from '../../domain/parsing/tokenize.js';
import { planCommand } from './command-builder.js';
import { argsFromOptions, leafFor, quoteValue, type OptionValue } from './options-to-args.js';

const registry = createRegistry();
const args = (command: string, values: Record<string, OptionValue>, sub?: string): string => {
  const plan = planCommand(registry.find(command)!, 'global');
  return argsFromOptions(leafFor(plan, sub)!, new Map(Object.entries(values)));
};

describe('typed Discord options back to the command text', () => {
  it('GIVEN typed /spend options in any order THEN the text follows the declared grammar with prefixes', () => {
    expect(args('spend', { note: 'coffee', amount: '4.50', label: 'food', account: 'Card' })).toBe('4.50 #food @Card coffee');
  });

  it('GIVEN a label typed with # or an account with @ THEN the prefix is not doubled', () => {
    expect(args('spend', { amount: '3', label: '#food', account: '@Card' })).toBe('3 #food @Card');
  });

  it('GIVEN a multi-word account THEN it is quoted and tokenizes back to one word', () => {
    const text = args('spend', { amount: '5', account: 'Credit Card' });
    expect(text).toBe('5 @"Credit Card"');
    expect(tokenize(text)).toEqual(['5', '@Credit Card']);
  });

  it('GIVEN a name holding straight quotes THEN another quote pair keeps it one word', () => {
    expect(quoteValue('Bob "the" card')).toBe('“Bob "the" card”');
    expect(tokenize(quoteValue('Bob "the" card'))).toEqual(['Bob "the" card']);
    expect(quoteValue('single')).toBe('single');
  });

  it('GIVEN the free-text record line THEN it is the record, with typed extras added', () => {
    expect(args('spend', { record: '12 #books novel' })).toBe('12 #books novel');
    expect(args('spend', { record: '12 novel', label: 'books' })).toBe('12 novel #books');
    // An amount typed separately comes first and the line reads as the rest.
    expect(args('income', { amount: '2500', record: 'salary #work' })).toBe('2500 salary #work');
  });

  it('GIVEN a subcommand THEN its word leads and multi-word names are quoted', () => {
    expect(args('account', { name: 'Credit Card', currency: 'USD', opening: '100' }, 'add')).toBe('add "Credit Card" USD 100');
    expect(args('account', { name: 'Old Card', new_name: 'New Card' }, 'rename')).toBe('rename "Old Card" "New Card"');
    expect(args('label', { from: 'food', into: 'groceries' }, 'merge')).toBe('merge food groceries');
  });

  it('GIVEN integers and empty values THEN numbers are written and blanks skipped', () => {
    expect(args('history', { count: 10, label: 'food', period: 'last-month', account: '  ' })).toBe('10 #food last-month');
  });

  it('GIVEN /transfer THEN sent and received amounts and both accounts are in grammar order', () => {
    expect(args('transfer', { amount: '100 usd', from: 'Dollars', to: 'Euro Card', received: '92 eur' })).toBe('100 usd Dollars "Euro Card" 92 eur');
  });

  it('GIVEN an attachment option THEN it adds no words', () => {
    const def: CommandDef = {
      name: 'imp',
      description: 'I',
      usage: '/imp',
      options: [
        { name: 'file', description: 'F', type: 'attachment', required: true },
        { name: 'period', description: 'P', type: 'string' },
      ],
      run: async () => ({ text: '' }),
    };
    expect(argsFromOptions(planCommand(def, 'global').leaves.get('')!, new Map<string, OptionValue>([['file', '123'], ['period', 'month']]))).toBe('month');
  });
});
