/** Injected time source so tests can fix "now" (month ends, DST changes, leap days). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stays where it is put; `set`/`advance` move it. */
export class FixedClock implements Clock {
  private t: number;
  constructor(at: Date | string) {
    this.t = new Date(at).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
