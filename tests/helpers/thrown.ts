import { expect } from 'vitest';
import { AppError } from '../../server/errors.ts';

/** The AppError a call throws (failing the test if it returns or throws anything else). */
export function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError, got a return value');
}
